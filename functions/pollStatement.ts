import { z } from 'zod';
import { pollStatement, statementStateSchema } from '../src/dataapi/pollStatement.ts';
import { redshiftTargetSchema } from '../src/job/common.ts';
import { statementFinished } from '../src/metrics/runMetrics.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * PollStatement: the generic poll task of every workflow (export, load, transfer).
 *
 * Input:  `{ runId, target, statement: { id, startedAt, deadline, attempt, ... }, longPollSeconds? }`
 *         (`target` is the job's redshiftTarget; startedAt/deadline are epoch ms).
 * Output: the same `statement` object with `status`, `done`, `nextWaitSeconds`, `resultRows`
 *         (null when Redshift reports none) and `attempt + 1`.
 * Throws: StatementFailedError (FAILED, with Redshift's error text), StatementAbortedError
 *         (ABORTED), DeadlineExceededError (past `deadline`: the statement is cancelled first),
 *         TransientError (throttling/5xx: retry).
 * ASL:    Wait (SecondsPath `$.statement.nextWaitSeconds`) -> this task (ResultPath
 *         `$.statement`) -> Choice on `$.statement.done`.
 * One DescribeStatement per call, long-polling up to 30 s (the Data API maximum; never past the
 * deadline). The next wait is 0.3x the time elapsed (1 s .. 15 min): polls grow with log(T).
 */
export const handler = defineHandler({
  name: 'pollStatement',
  input: z
    .object({
      runId: z.string(),
      target: redshiftTargetSchema,
      statement: statementStateSchema,
      longPollSeconds: z.number().int().min(0).max(30).optional(),
    })
    .strict(),
  run: (input, { clients }) =>
    pollStatement(clients.redshiftData, input.statement, {
      ...(input.longPollSeconds === undefined ? {} : { longPollSeconds: input.longPollSeconds }),
    }),
  metrics: (_input, statement) => statementFinished(statement, Date.now()),
});
