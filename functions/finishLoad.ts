import { emitLineage } from '../src/lineage/emitLineage.ts';
import { loadLineage } from '../src/lineage/jobLineage.ts';
import { finishLoad } from '../src/load/loadStatement.ts';
import { loadStatementStateSchema } from '../src/load/loadStatementState.ts';
import { loadSucceeded } from '../src/metrics/runMetrics.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * FinishLoad: `{ runId, job, context, prepared, statement }` -> the load's result (ResultPath
 * `$.result`): records, merged, deleted, rows before/after, alreadyLoaded. Throws
 * AlreadyLoadedError when another run loaded part of this batch meanwhile.
 */
export const handler = defineHandler({
  name: 'finishLoad',
  input: loadStatementStateSchema.strict(),
  run: (input, { clients }) =>
    finishLoad(clients.redshiftData, input.job, input.context, input.prepared, input.statement),
  metrics: (input, result) => loadSucceeded(input.job.name, result),
  lineage: {
    of: (input, result, env) =>
      loadLineage(input.job, {
        eventType: 'COMPLETE',
        runId: input.runId,
        region: env.AWS_REGION,
        now: new Date(),
        rows: result.merged,
      }),
    emit: emitLineage,
  },
});
