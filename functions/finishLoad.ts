import { z } from 'zod';
import { statementStateSchema } from '../src/dataapi/pollStatement.ts';
import { loadJobSchema } from '../src/job/loadJob.ts';
import { emitLineage } from '../src/lineage/emitLineage.ts';
import { loadLineage } from '../src/lineage/jobLineage.ts';
import { loadContextSchema } from '../src/load/loadRun.ts';
import { finishLoad } from '../src/load/loadStatement.ts';
import { preparedLoadSchema } from '../src/load/writeCopyManifest.ts';
import { loadSucceeded } from '../src/metrics/runMetrics.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * FinishLoad: `{ runId, job, context, prepared, statement }` -> the load's result (ResultPath
 * `$.result`): records, merged, deleted, rows before/after, alreadyLoaded. Throws
 * AlreadyLoadedError when another run loaded part of this batch meanwhile.
 */
export const handler = defineHandler({
  name: 'finishLoad',
  input: z
    .object({
      runId: z.string(),
      job: loadJobSchema,
      context: loadContextSchema,
      prepared: preparedLoadSchema,
      statement: statementStateSchema,
    })
    .strict(),
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
