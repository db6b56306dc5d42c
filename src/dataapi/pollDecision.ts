/** The statuses DescribeStatement reports (`ALL` is only a ListStatements filter). */
export const statementStatuses = ['SUBMITTED', 'PICKED', 'STARTED', 'FINISHED', 'ABORTED', 'FAILED'] as const;
export type StatementStatus = (typeof statementStatuses)[number];

export const MAX_WAIT_SECONDS = 60;

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
 * or wait `min(2^attempt, 60)` seconds, never past the deadline. Pure, so the whole table is
 * tested; the poll task acts on it (cancel at the deadline, throw on FAILED/ABORTED).
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
  const backoff = Math.min(MAX_WAIT_SECONDS, 2 ** Math.max(0, Math.min(input.attempt, 16)));
  const untilDeadline = Math.ceil((input.deadline - input.now) / 1000);
  return { done: false, outcome: 'running', nextWaitSeconds: Math.max(1, Math.min(backoff, untilDeadline)) };
}
