import { z } from 'zod';
import { quoteIdent } from '../sql/identifiers.ts';
import { templateVariables, unknownPlaceholders } from './templates.ts';

/**
 * Building blocks shared by every job kind (export, load, transfer). Validation here is strict:
 * anything that ends up in SQL text (role ARNs, S3 URIs, KMS ids) must be safe by construction.
 */

/** `s3://bucket/key-prefix` with a valid bucket name; no credentials, no quotes, no control chars. */
export const s3UriSchema = z
  .string()
  .trim()
  .regex(
    /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^'\\\u0000-\u001f\u007f]*)?$/,
    'expected an S3 URI like "s3://my-bucket/some/prefix/" (lowercase bucket, no quotes or backslashes)',
  );
export type S3Uri = z.infer<typeof s3UriSchema>;

/** An IAM role ARN (the role Redshift assumes for UNLOAD/COPY); `default` means the cluster's default role. */
export const iamRoleSchema = z.union([
  z.literal('default'),
  z
    .string()
    .trim()
    .regex(
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/,
      'expected an IAM role ARN like "arn:aws:iam::123456789012:role/RedshiftS3Access" or "default"',
    ),
]);

/** A KMS key id, alias or ARN. */
export const kmsKeySchema = z
  .string()
  .trim()
  .regex(
    /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/,
    'expected a KMS key id, alias/name or key ARN',
  );

const secretArnSchema = z
  .string()
  .trim()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
    'expected a Secrets Manager secret ARN',
  );

const nameSchema = z
  .string()
  .trim()
  .min(1)
  .max(127)
  .regex(/^[A-Za-z0-9_$.-]+$/, 'expected letters, digits, _ $ . or -');

/**
 * Where the SQL runs: a provisioned cluster (authenticated by a secret or a database user) or a
 * Serverless workgroup. Exactly one of the two shapes.
 */
export const redshiftTargetSchema = z.union([
  z
    .object({
      clusterIdentifier: nameSchema,
      database: nameSchema,
      secretArn: secretArnSchema.optional(),
      dbUser: nameSchema.optional(),
    })
    .strict()
    .refine((t) => (t.secretArn === undefined) !== (t.dbUser === undefined), {
      message: 'a cluster target needs exactly one of secretArn or dbUser',
    }),
  z
    .object({
      workgroupName: nameSchema,
      database: nameSchema,
      secretArn: secretArnSchema.optional(),
    })
    .strict(),
]);
export type RedshiftTarget = z.infer<typeof redshiftTargetSchema>;

/**
 * A duration in seconds, or a string such as "90s", "15m", "2h". Deadlines of a run are
 * computed from these once, at planning time.
 */
export const durationSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .trim()
    .regex(/^\d+\s*(s|m|h|d)$/, 'expected a duration like "90s", "15m", "2h" or a number of seconds')
    .transform((v) => {
      const n = Number.parseInt(v, 10);
      const unit = v.trim().slice(-1);
      return n * ({ s: 1, m: 60, h: 3600, d: 86_400 } as const)[unit as 's' | 'm' | 'h' | 'd'];
    }),
]);

export const timeoutsSchema = z
  .object({
    /** How long one Redshift statement (UNLOAD, COPY batch) may run before it is cancelled. */
    statement: durationSchema.default(3600),
    /** How long the optional Spark step may run before it is cancelled. */
    spark: durationSchema.default(7200),
  })
  .strict()
  .default({ statement: 3600, spark: 7200 });
export type Timeouts = z.infer<typeof timeoutsSchema>;

/** A job's name: used in statement names, execution names and S3 keys, so kept simple. */
export const jobNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lowercase letters, digits and dashes (max 63)');

/** A table as `table`, `schema.table` or `{schema, name}`. */
export const tableSchema = z.union([
  z.string().trim().min(1),
  z.object({ schema: z.string().min(1).optional(), name: z.string().min(1) }).strict(),
]);

/** An S3 URI whose `{placeholders}` are all known template variables (resolved at plan time). */
export const templatedS3UriSchema = s3UriSchema.refine((uri) => unknownPlaceholders(uri).length === 0, {
  message: `unknown placeholder; use ${templateVariables.map((v) => `{${v}}`).join(', ')}`,
});

/** Reports one problem of a job document at `path` (inside a zod `superRefine`). */
export type IssueReporter = (path: (string | number)[], message: string) => void;

/** The {@link IssueReporter} of a `superRefine`: each call adds one custom issue. */
export function issueReporter(ctx: z.RefinementCtx): IssueReporter {
  return (path, message) => ctx.addIssue({ code: 'custom', path, message });
}

/**
 * Reports `name` at `path` when `quoteIdent` rejects it; `what` names it in the message
 * (e.g. `Invalid column name "a\"b": ...`).
 */
export function identifierIssue(
  name: string,
  path: (string | number)[],
  issue: IssueReporter,
  what = 'column name',
): void {
  try {
    quoteIdent(name, what);
  } catch (error) {
    issue(path, (error as Error).message);
  }
}

/**
 * The rules of a query-or-table source (an export, a transfer's source): exactly one of `query`
 * or `table`, and `columns` only with `table`. `at` is the source's path in the document.
 */
export function querySourceIssues(
  source: { query?: string | undefined; table?: unknown; columns?: string[] | undefined },
  at: (string | number)[],
  issue: IssueReporter,
): void {
  if ((source.query === undefined) === (source.table === undefined)) {
    issue([...at, 'query'], 'give exactly one of "query" or "table"');
  }
  if (source.columns !== undefined && source.table === undefined) {
    issue([...at, 'columns'], '"columns" is only used with "table"');
  }
}
