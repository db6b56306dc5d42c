import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { formatIssues } from '../validation/formatIssues.ts';

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional())
  .optional();

/**
 * The one configuration schema: the process environment every Lambda and the CLI share, read
 * once per cold start (functions/_shared/runtime.ts) and passed in. Endpoint overrides point the
 * real SDK clients at the local stack; on AWS they are unset.
 */
export const envSchema = z.object({
  AWS_REGION: z.string().trim().min(1).default('us-east-1'),
  RT_ENDPOINT_S3: optionalUrl,
  RT_ENDPOINT_REDSHIFT_DATA: optionalUrl,
  RT_ENDPOINT_SFN: optionalUrl,
  RT_ENDPOINT_EMR: optionalUrl,
  RT_STATE_BUCKET: z.string().trim().min(1).optional(),
  RT_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  /** Where a job given by `jobName` (and the trigger's jobs) are found (default `jobs`). */
  RT_JOBS_DIR: z.string().trim().min(1).default('jobs'),
  /** The load state machine the S3-event trigger starts (required by the trigger only). */
  RT_LOAD_STATE_MACHINE_ARN: z
    .string()
    .trim()
    .regex(
      /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/,
      'expected a state machine ARN',
    )
    .optional(),
  /** Slices of the cluster when Redshift cannot be asked (`stv_slices`): the local stack sets it. */
  RT_CLUSTER_SLICES: z.coerce.number().int().min(1).max(12_800).optional(),
  /**
   * Above this many parts (at most 200: the inline part list travels in the 256 KiB state) a
   * load's Map is a Distributed Map fed from an items file in RT_STATE_BUCKET.
   */
  RT_LOAD_INLINE_MAX_PARTS: z.coerce.number().int().min(1).max(200).default(100),
  /** Local stack only: append the handlers' embedded-metric lines here instead of stdout. */
  RT_METRICS_FILE: z.string().trim().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Parses the environment; a bad value throws a ConfigError naming every offending variable. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      `Invalid environment:\n  - ${formatIssues(parsed.error.issues).join('\n  - ')}\nSet the variables above (see README "Configuration").`,
    );
  }
  return parsed.data;
}

/**
 * RT_LOG_LEVEL when the user set it (validated), else undefined: for tools that pick their own
 * default rather than readEnv's INFO (the local stack runs handlers at WARN).
 */
export function userLogLevel(source: NodeJS.ProcessEnv = process.env): Env['RT_LOG_LEVEL'] | undefined {
  return source.RT_LOG_LEVEL === undefined
    ? undefined
    : readEnv({ RT_LOG_LEVEL: source.RT_LOG_LEVEL }).RT_LOG_LEVEL;
}
