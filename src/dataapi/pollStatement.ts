import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { z } from 'zod';
import { DeadlineExceededError } from '../errors.ts';
import { cancelStatement, describeStatement, throwIfUnsuccessful } from './dataApi.ts';
import { pollDecision, statementStatuses } from './pollDecision.ts';

/**
 * The statement state the state machine carries between Wait and poll (`$.statement`). Start
 * tasks create it, the generic poll task returns it updated; both kinds of workflow share it.
 */
export const statementStateSchema = z
  .object({
    id: z.string().min(1),
    /** Epoch ms. */
    startedAt: z.number().int().nonnegative(),
    /** Epoch ms after which the statement is cancelled. */
    deadline: z.number().int().nonnegative(),
    attempt: z.number().int().nonnegative(),
    status: z.enum(statementStatuses).optional(),
    done: z.boolean().optional(),
    nextWaitSeconds: z.number().int().nonnegative().optional(),
    resultRows: z.number().int().nullable().optional(),
    /** What the statement does (`unload`, `copy-merge`...), for messages. */
    step: z.string().optional(),
  })
  .strict();
export type StatementState = z.infer<typeof statementStateSchema>;

/** A freshly started statement: poll after 1 second. */
export function startedStatement(
  id: string,
  now: number,
  timeoutSeconds: number,
  step: string,
): StatementState {
  return {
    id,
    startedAt: now,
    deadline: now + timeoutSeconds * 1000,
    attempt: 0,
    status: 'SUBMITTED',
    done: false,
    nextWaitSeconds: 1,
    resultRows: null,
    step,
  };
}

/**
 * DescribeStatement's documented maximum WaitTimeSeconds: a statement that ends within the long
 * poll is seen at once. The poll Lambda's timeout (deploy/functions.yml, 120 s) stays above it.
 */
export const LONG_POLL_SECONDS = 30;

export interface PollOptions {
  /** Long poll inside DescribeStatement (Data API WaitTimeSeconds, 0-30, default 30); 0 disables it. */
  longPollSeconds?: number;
  now?: () => number;
}

/**
 * One poll: DescribeStatement (long-polling, but never past the deadline), then pollDecision.
 * FINISHED -> done with resultRows; FAILED/ABORTED -> the named error; past the deadline ->
 * cancel, then DeadlineExceededError; otherwise the next wait, with `attempt + 1`.
 */
export async function pollStatement(
  client: RedshiftDataClient,
  statement: StatementState,
  options: PollOptions = {},
): Promise<StatementState> {
  const now = options.now ?? Date.now;
  const untilDeadline = Math.floor((statement.deadline - now()) / 1000);
  const longPoll = Math.max(
    0,
    Math.min(options.longPollSeconds ?? LONG_POLL_SECONDS, LONG_POLL_SECONDS, untilDeadline),
  );
  const description = await describeStatement(client, statement.id, longPoll);
  const what = `Statement ${statement.step ?? ''}`.trim();
  throwIfUnsuccessful(description, what);

  const decision = pollDecision({
    status: description.status,
    attempt: statement.attempt,
    startedAt: statement.startedAt,
    deadline: statement.deadline,
    now: now(),
  });
  if (decision.outcome === 'deadline') {
    const cancelled = await cancelStatement(client, statement.id);
    const seconds = Math.round((statement.deadline - statement.startedAt) / 1000);
    throw new DeadlineExceededError(
      `${what} ${statement.id} was still ${description.status} after its ${seconds} s deadline and ${cancelled ? 'was cancelled' : 'could not be cancelled (it had just ended)'}. Raise timeouts.statement in the job or make the query faster.`,
      { context: { statementId: statement.id, cancelled } },
    );
  }
  return {
    ...statement,
    attempt: statement.attempt + 1,
    status: description.status,
    done: decision.done,
    nextWaitSeconds: decision.nextWaitSeconds,
    resultRows: description.resultRows ?? null,
  };
}
