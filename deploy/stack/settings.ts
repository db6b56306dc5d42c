import { z } from 'zod';
import { ConfigError } from '../../src/errors.ts';
import { formatIssues } from '../../src/validation/formatIssues.ts';

const list = z
  .string()
  .trim()
  .transform((v) =>
    v === ''
      ? []
      : v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
  );
const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v));
const bucket = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name');
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/**
 * The stage parameters of the deployed stack, as serverless.yml passes them in
 * `custom.redshiftTransfer` (each from `${param:...}`). Lists are comma-separated.
 */
export const deploySettingsSchema = z
  .object({
    service: z.string().min(1),
    stage: z.string().regex(/^[a-zA-Z0-9-]+$/, 'expected letters, digits and dashes'),
    /** Provisioned clusters the Data API may run SQL on (empty with Serverless). */
    redshiftClusterIdentifier: list,
    /** Serverless workgroup ARNs (`arn:aws:redshift-serverless:R:A:workgroup/<id>`), empty with clusters. */
    redshiftWorkgroupArn: list.pipe(
      z.array(
        z
          .string()
          .regex(
            /^arn:aws[a-z-]*:redshift-serverless:[a-z0-9-]+:\d{12}:workgroup\/[0-9a-f-]+$/,
            'expected a workgroup ARN',
          ),
      ),
    ),
    redshiftDatabase: list.pipe(z.array(z.string()).min(1, 'name at least one database')),
    /** Secrets Manager secret ARNs the Data API authenticates with (empty: temporary credentials). */
    redshiftSecretArn: list,
    /** Database user for GetClusterCredentials (provisioned clusters, no secret). */
    redshiftDbUser: optional,
    stagingBucket: bucket,
    exportsBucket: bucket,
    landingBucket: list.pipe(z.array(bucket)),
    stateBucket: bucket,
    kmsKeyArn: optional,
    emrClusterId: optional,
    createRedshiftRole: flag,
    stateMachineLogLevel: z.enum(['ALL', 'ERROR', 'FATAL', 'OFF']),
    logRetentionInDays: z.coerce.number().int().positive(),
    scheduleTimezone: z.string().trim().min(1),
    schedulesEnabled: flag,
  })
  .superRefine((s, ctx) => {
    const clusters = s.redshiftClusterIdentifier.length;
    const workgroups = s.redshiftWorkgroupArn.length;
    if ((clusters === 0) === (workgroups === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['redshiftClusterIdentifier'],
        message:
          'set exactly one of redshiftClusterIdentifier (provisioned) or redshiftWorkgroupArn (Serverless)',
      });
    }
    if (s.redshiftDbUser !== undefined && (clusters === 0 || s.redshiftSecretArn.length > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['redshiftDbUser'],
        message: 'redshiftDbUser is for provisioned clusters without a secret; leave it empty',
      });
    }
  });

export type DeploySettings = z.infer<typeof deploySettingsSchema>;

/** Parses the settings; every bad parameter is listed by name. */
export function parseDeploySettings(raw: unknown): DeploySettings {
  const parsed = deploySettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `Invalid stage parameters (serverless.yml params / --param):\n  - ${formatIssues(parsed.error.issues).join('\n  - ')}`,
    );
  }
  return parsed.data;
}

/** How the Data API authenticates: exactly one path, chosen by the parameters. */
export type AuthPath =
  | { kind: 'secret'; secretArns: string[] }
  | { kind: 'dbUser'; dbUser: string }
  | { kind: 'clusterIam' }
  | { kind: 'serverlessIam' };

export function authPath(s: DeploySettings): AuthPath {
  if (s.redshiftSecretArn.length > 0) return { kind: 'secret', secretArns: s.redshiftSecretArn };
  if (s.redshiftDbUser !== undefined) return { kind: 'dbUser', dbUser: s.redshiftDbUser };
  return s.redshiftClusterIdentifier.length > 0 ? { kind: 'clusterIam' } : { kind: 'serverlessIam' };
}
