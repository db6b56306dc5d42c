import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { formatIssues } from '../validation/formatIssues.ts';

/**
 * The environment the load tasks and the S3-event trigger read besides `readEnv()`'s: read once,
 * at the edge, and passed in.
 */
export const loadEnvSchema = z.object({
  /** The load state machine the trigger starts (required by the trigger only). */
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
  /** Above this many parts (at most 200: the inline part list travels in the 256 KiB state) the Map is a Distributed Map fed from an items file in RT_STATE_BUCKET. */
  RT_LOAD_INLINE_MAX_PARTS: z.coerce.number().int().min(1).max(200).default(100),
  /** Where the trigger finds the job documents it matches events against (default `jobs`). */
  RT_JOBS_DIR: z.string().trim().min(1).default('jobs'),
});
export type LoadEnv = z.infer<typeof loadEnvSchema>;

/** Parses the load variables; a bad value throws a ConfigError naming every offending variable. */
export function readLoadEnv(source: NodeJS.ProcessEnv = process.env): LoadEnv {
  const parsed = loadEnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(`Invalid environment:\n  - ${formatIssues(parsed.error.issues).join('\n  - ')}`);
  }
  return parsed.data;
}

/** Slices of the local stack's Redshift when RT_CLUSTER_SLICES is not set (its default). */
export const LOCAL_STACK_SLICES = 4;

/**
 * The slice count to use without asking Redshift: RT_CLUSTER_SLICES, else 4 against a custom
 * Data API endpoint (the local stack has no stv_slices), else undefined (ask stv_slices).
 */
export function clusterSlices(
  loadEnv: Pick<LoadEnv, 'RT_CLUSTER_SLICES'>,
  env: { RT_ENDPOINT_REDSHIFT_DATA?: string | undefined },
): number | undefined {
  if (loadEnv.RT_CLUSTER_SLICES !== undefined) return loadEnv.RT_CLUSTER_SLICES;
  return env.RT_ENDPOINT_REDSHIFT_DATA === undefined ? undefined : LOCAL_STACK_SLICES;
}
