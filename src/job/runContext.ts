import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What every state machine receives (`{ job | jobName, runId?, runDate? }`) and the deterministic
 * run id derived from it, so that the same run started twice names the same statements and keys.
 */

export const runIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/, 'expected 1-80 letters, digits, "_" or "-"');

export const runDateSchema = z.iso.date('expected a date like "2024-01-31"');

export const executionInputSchema = z
  .object({
    job: z.unknown().optional(),
    jobName: z.string().optional(),
    runId: runIdSchema.optional(),
    runDate: runDateSchema.optional(),
  })
  .strict()
  .refine((i) => (i.job === undefined) !== (i.jobName === undefined), {
    message: 'give exactly one of "job" (a job document) or "jobName" (a file in jobs/)',
  });
export type ExecutionInput = z.infer<typeof executionInputSchema>;

/** `YYYY-MM-DD` of `at` in UTC. */
export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * A run id that is the same for the same job, date and execution: `<runDate>-<hash>`, where the
 * hash covers the job name, the run date and the execution name (when there is one). A retried
 * plan, or the CLI started twice for the same day without an execution name, gets the same id.
 */
export function deriveRunId(input: {
  jobName: string;
  runDate: string;
  executionName?: string | undefined;
}): string {
  const hash = createHash('sha256')
    .update(`${input.jobName}\n${input.runDate}\n${input.executionName ?? ''}`)
    .digest('hex')
    .slice(0, 12);
  return `${input.runDate.replace(/-/g, '')}-${hash}`;
}
