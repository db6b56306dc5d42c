import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { executeStatement } from '../dataapi/dataApi.ts';
import { type StatementState, startedStatement } from '../dataapi/pollStatement.ts';
import { clientToken, statementName } from '../dataapi/statementIdentity.ts';
import type { ExportJob } from '../job/exportJob.ts';
import { buildUnload, exportQuery } from '../sql/unload.ts';

/**
 * Starts the run's UNLOAD into the staging prefix. The statement name comes from the run id; the
 * client token from the run id and the execution, so a retried start (same execution) returns
 * the statement already running, while a new execution of the same run id (a re-run after the
 * first one finished and emptied staging) really runs the UNLOAD again.
 */
export async function startUnload(
  client: RedshiftDataClient,
  run: { runId: string; job: ExportJob; staging: string; executionName?: string | undefined },
  now: number,
): Promise<StatementState> {
  const sql = buildUnload({
    query: exportQuery(run.job),
    to: run.staging,
    iamRole: run.job.iamRole,
    options: run.job.unload,
  });
  const id = await executeStatement(client, {
    target: run.job.target,
    sql,
    name: statementName(run.job.name, run.runId, 'unload'),
    clientToken: clientToken(run.runId, `unload:${run.executionName ?? ''}`),
  });
  return startedStatement(id, now, run.job.timeouts.statement, 'unload');
}
