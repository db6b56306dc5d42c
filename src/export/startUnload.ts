import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { executeStatement } from '../dataapi/dataApi.ts';
import { type StatementState, startedStatement } from '../dataapi/pollStatement.ts';
import { clientToken, statementName } from '../dataapi/statementIdentity.ts';
import type { ExportJob } from '../job/exportJob.ts';
import { buildUnload, exportQuery } from '../sql/unload.ts';

/**
 * Starts the run's UNLOAD into the staging prefix. The statement name and client token come
 * from the run id, so a retried start returns the statement already running.
 */
export async function startUnload(
  client: RedshiftDataClient,
  run: { runId: string; job: ExportJob; staging: string },
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
    clientToken: clientToken(run.runId, 'unload'),
  });
  return startedStatement(id, now, run.job.timeouts.statement, 'unload');
}
