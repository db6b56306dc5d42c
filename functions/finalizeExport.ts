import { z } from 'zod';
import { statementStateSchema } from '../src/dataapi/pollStatement.ts';
import { exportRunSchema, partPlanSchema } from '../src/export/exportRun.ts';
import { finalizeExport, processedSchema } from '../src/export/finalizeExport.ts';
import { emitLineage } from '../src/lineage/emitLineage.ts';
import { exportLineage } from '../src/lineage/jobLineage.ts';
import { exportSucceeded } from '../src/metrics/runMetrics.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * FinalizeExport: `{ run, statement, plan, processed }` -> `{ manifestUri, destination, rows,
 * parts, bytes }` (`$.result`). Throws RowCountMismatchError when the parts do not add up.
 */
export const handler = defineHandler({
  name: 'finalizeExport',
  input: z
    .object({
      runId: z.string(),
      run: exportRunSchema,
      statement: statementStateSchema,
      plan: partPlanSchema,
      processed: processedSchema,
    })
    .strict(),
  run: (input, { clients, env }) =>
    finalizeExport(clients.s3, input, { stateBucket: env.RT_STATE_BUCKET, now: Date.now() }),
  lineage: {
    of: (input, result, env) =>
      exportLineage(input.run.job, input.run.destination, {
        eventType: 'COMPLETE',
        runId: input.runId,
        region: env.AWS_REGION,
        now: new Date(),
        rows: result.rows,
        bytes: result.bytes,
      }),
    emit: emitLineage,
  },
  metrics: (input, result) =>
    exportSucceeded(input.run.jobName, result, (Date.now() - input.run.plannedAt) / 1000),
});
