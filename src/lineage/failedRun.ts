import type { z } from 'zod';
import type { Happening } from './jobLineage.ts';

/**
 * The job of a failed run and its FAIL happening (run id and named error), from the state a
 * cleanup task receives (`$.error` set by the ASL's Catch). Undefined when the run did not fail,
 * or failed before it had a valid job and a run id (then no START was sent either).
 */
export function failedRun<S extends z.ZodType>(
  state: unknown,
  jobSchema: S,
  region: string,
  now = new Date(),
): { job: z.output<S>; happening: Happening } | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const s = state as { error?: { Error?: unknown; Cause?: unknown } | null; runId?: unknown; job?: unknown };
  if (s.error === undefined || s.error === null || typeof s.runId !== 'string') return undefined;
  const job = jobSchema.safeParse(s.job);
  if (!job.success) return undefined;
  return {
    job: job.data,
    happening: {
      eventType: 'FAIL',
      runId: s.runId,
      region,
      now,
      error: {
        name: typeof s.error.Error === 'string' ? s.error.Error : 'Error',
        message: typeof s.error.Cause === 'string' ? s.error.Cause : '',
      },
    },
  };
}
