/** The statuses DescribeStatement reports (`ALL` is only a ListStatements filter). */
export const statementStatuses = ['SUBMITTED', 'PICKED', 'STARTED', 'FINISHED', 'ABORTED', 'FAILED'] as const;
export type StatementStatus = (typeof statementStatuses)[number];

/**
 * The next wait is this fraction of the time the statement has run so far. Waiting in proportion
 * to the elapsed time makes the number of polls grow with log(T) (each poll moves the clock by a
 * factor 1 + 0.3) and bounds how late the end is seen to ~0.3 T; the poll task's 30 s long poll
 * sees short statements end at once. Measured by `npm run bench -- polling` (docs/export.md).
 */
export const WAIT_FRACTION_OF_ELAPSED = 0.3;
/** Longest wait between two polls: bounds how late a very long statement's end is seen. */
export const MAX_WAIT_SECONDS = 900;

export interface PollInput {
  status: StatementStatus;
  /** Polls made so far (0 before the first). */
  attempt: number;
  /** Epoch ms when the statement was started. */
  startedAt: number;
  /** Epoch ms after which the statement must be cancelled. */
  deadline: number;
  /** Epoch ms now. */
  now: number;
}

export type PollOutcome = 'finished' | 'failed' | 'aborted' | 'running' | 'deadline';

export interface PollDecision {
  /** True when the Wait -> poll -> Choice loop must end (including failures and the deadline). */
  done: boolean;
  outcome: PollOutcome;
  /** Seconds the state machine's Wait should wait before the next poll (>= 1). */
  nextWaitSeconds: number;
}

/**
 * What to do after one DescribeStatement: stop (FINISHED, FAILED, ABORTED, or past the deadline)
 * or wait `ceil(0.3 * elapsed)` seconds (at least 1, at most 900, never past the deadline). Pure,
 * so the whole table is tested; the poll task acts on it (cancel at the deadline, throw on
 * FAILED/ABORTED).
 */
export function pollDecision(input: PollInput): PollDecision {
  switch (input.status) {
    case 'FINISHED':
      return { done: true, outcome: 'finished', nextWaitSeconds: 0 };
    case 'FAILED':
      return { done: true, outcome: 'failed', nextWaitSeconds: 0 };
    case 'ABORTED':
      return { done: true, outcome: 'aborted', nextWaitSeconds: 0 };
  }
  if (input.now >= input.deadline) return { done: true, outcome: 'deadline', nextWaitSeconds: 0 };
  const elapsedSeconds = Math.max(0, (input.now - input.startedAt) / 1000);
  const backoff = Math.min(MAX_WAIT_SECONDS, Math.ceil(WAIT_FRACTION_OF_ELAPSED * elapsedSeconds));
  const untilDeadline = Math.ceil((input.deadline - input.now) / 1000);
  return { done: false, outcome: 'running', nextWaitSeconds: Math.max(1, Math.min(backoff, untilDeadline)) };
}
