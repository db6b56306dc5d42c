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
