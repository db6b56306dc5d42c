import type { StepState } from './sparkStepState.ts';

/** Backoff of the Wait -> PollSparkStep loop: a Spark step runs for minutes, not milliseconds. */
export const SPARK_POLL_BACKOFF = { firstSeconds: 10, factor: 2, maxSeconds: 120 } as const;

/**
 * Seconds to wait before poll number `attempt + 1`: exponential from `firstSeconds`, capped at
 * `maxSeconds`, never past the deadline (at least 1 s so the Wait state stays valid).
 */
export function nextSparkWaitSeconds(attempt: number, now: number, deadline: number): number {
  const { firstSeconds, factor, maxSeconds } = SPARK_POLL_BACKOFF;
  const backoff = Math.min(maxSeconds, firstSeconds * factor ** Math.min(attempt, 16));
  const untilDeadline = Math.ceil((deadline - now) / 1000);
  return Math.max(1, Math.min(backoff, untilDeadline));
}

export type SparkPollDecision =
  | { action: 'done' }
  | { action: 'wait'; nextWaitSeconds: number }
  | { action: 'cancel' }
  | { action: 'fail' };

/**
 * What to do after a DescribeStep: COMPLETED ends the loop; FAILED, CANCELLED and INTERRUPTED
 * fail it; anything still in flight waits, unless the deadline has passed, in which case the
 * step is cancelled. CANCEL_PENDING means someone is already cancelling it: wait a short while
 * for it to land as CANCELLED (a failure) instead of cancelling twice.
 */
export function decideSparkPoll(
  state: StepState,
  attempt: number,
  now: number,
  deadline: number,
): SparkPollDecision {
  switch (state) {
    case 'COMPLETED':
      return { action: 'done' };
    case 'FAILED':
    case 'CANCELLED':
    case 'INTERRUPTED':
      return { action: 'fail' };
    case 'PENDING':
    case 'RUNNING':
      if (now >= deadline) return { action: 'cancel' };
      return { action: 'wait', nextWaitSeconds: nextSparkWaitSeconds(attempt, now, deadline) };
    case 'CANCEL_PENDING':
      return { action: 'wait', nextWaitSeconds: SPARK_POLL_BACKOFF.firstSeconds };
  }
}
