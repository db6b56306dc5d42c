import type { z } from 'zod';

/**
 * The job, run id and named error of a failed run, from the state a cleanup task receives
 * (`$.error` set by the ASL's Catch). Undefined when the run did not fail, or failed before it
 * had a valid job and a run id (then no START was sent either).
 */
export function failedRun<S extends z.ZodType>(
  state: unknown,
  jobSchema: S,
): { job: z.output<S>; runId: string; error: { name: string; message: string } } | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const s = state as { error?: { Error?: unknown; Cause?: unknown } | null; runId?: unknown; job?: unknown };
  if (s.error === undefined || s.error === null || typeof s.runId !== 'string') return undefined;
  const job = jobSchema.safeParse(s.job);
  if (!job.success) return undefined;
  return {
    job: job.data,
    runId: s.runId,
    error: {
      name: typeof s.error.Error === 'string' ? s.error.Error : 'Error',
      message: typeof s.error.Cause === 'string' ? s.error.Cause : '',
    },
  };
}
