import { z } from 'zod';

export const STEP_STATES = [
  'PENDING',
  'CANCEL_PENDING',
  'RUNNING',
  'COMPLETED',
  'CANCELLED',
  'FAILED',
  'INTERRUPTED',
] as const;
export type StepState = (typeof STEP_STATES)[number];

/**
 * What SubmitSparkStep returns and PollSparkStep passes on (`$.spark` in the state machine):
 * small, JSON-only, and enough to resume polling from any point.
 */
export const sparkStepStateSchema = z.object({
  clusterId: z.string().min(1),
  stepId: z.string().min(1),
  /** Epoch milliseconds after which the step is cancelled. */
  deadline: z.number().int().nonnegative(),
  attempt: z.number().int().nonnegative(),
  nextWaitSeconds: z.number().int().nonnegative(),
  done: z.boolean(),
  state: z.enum(STEP_STATES).optional(),
  /** Where the step's logs are (`<LogUri>/<clusterId>/steps/<stepId>/`), when known. */
  logUri: z.string().optional(),
});
export type SparkStepState = z.infer<typeof sparkStepStateSchema>;
