import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { batchExecuteStatement } from '../dataapi/dataApi.ts';
import { clientToken, statementName } from '../dataapi/statementIdentity.ts';
import { waitForStatement } from '../dataapi/waitForStatement.ts';
import { StatementFailedError, TransientError } from '../errors.ts';
import type { RedshiftTarget } from '../job/common.ts';
import type { QualifiedName } from '../sql/identifiers.ts';
import { quoteQualified } from '../sql/identifiers.ts';
import { createLedgerSql } from '../sql/ledger.ts';
import { setQueryGroup } from '../sql/queryGroup.ts';

/** What concurrent `CREATE ... IF NOT EXISTS` of one table looks like when two runs race. */
const RACE = /already exists|duplicate key|concurrent|could not serialize|serializable isolation/i;

/**
 * Creates the ledger if it is missing, and waits for that (a few milliseconds of DDL; bounded by
 * `maxWaitMs` of Data API long polls). Kept out of the plan batch because the first loads after
 * a deployment often start together (a burst of S3 events), and concurrent creates of one table
 * fail one of them: that loser becomes a TransientError, and the state machine's retry finds the
 * table there.
 */
export async function ensureLedger(
  client: RedshiftDataClient,
  options: {
    target: RedshiftTarget;
    ledger: QualifiedName;
    jobName: string;
    runId: string;
    now: () => number;
    maxWaitMs?: number;
  },
): Promise<void> {
  const id = await batchExecuteStatement(client, {
    target: options.target,
    sqls: [
      setQueryGroup(statementName(options.jobName, options.runId, 'ledger')),
      ...createLedgerSql(options.ledger),
    ],
    name: statementName(options.jobName, options.runId, 'ledger'),
    // A new token per attempt: a retried attempt must not get the failed statement back.
    clientToken: clientToken(options.runId, `ledger:${options.now()}`),
  });
  const { description: d, timedOut } = await waitForStatement(client, id, {
    timeoutMs: options.maxWaitMs ?? 60_000,
    now: options.now,
  });
  if (d.status === 'FINISHED') return;
  if (timedOut) {
    throw new TransientError(
      `Creating the load ledger ${quoteQualified(options.ledger)} is still ${d.status}; retrying.`,
    );
  }
  const error = d.error ?? d.subStatements.find((s) => s.error !== undefined)?.error ?? d.status;
  if (RACE.test(error)) {
    throw new TransientError(
      `Another run created the ledger ${quoteQualified(options.ledger)} at the same time (${error}); retrying.`,
    );
  }
  throw new StatementFailedError(
    `Creating the load ledger ${quoteQualified(options.ledger)} failed: ${error}. Grant CREATE on the schema, or create the table (DDL in docs/load.md).`,
    { context: { statementId: id, redshiftError: error } },
  );
}
