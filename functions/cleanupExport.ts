import { z } from 'zod';
import { cleanupExport } from '../src/export/cleanupExport.ts';
import { exportJobSchema } from '../src/job/exportJob.ts';
import { emitLineage } from '../src/lineage/emitLineage.ts';
import { failedRun } from '../src/lineage/failedRun.ts';
import { exportLineage } from '../src/lineage/jobLineage.ts';
import { runFailed } from '../src/metrics/runMetrics.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * CleanupExport: `{ state: <the whole execution state when the error was caught> }` -> a report
 * of what was cancelled and removed. Reads what it can from the state (a failure may come
 * before the plan) and never throws over the run's original error.
 */
const stateSchema = z
  .object({
    runId: z.string().optional(),
    jobName: z.string().optional(),
    staging: z.string().optional(),
    destination: z.string().optional(),
    job: z.object({ keepStaging: z.boolean().optional() }).loose().optional(),
    statement: z.object({ id: z.string() }).loose().optional(),
  })
  .loose();

export const handler = defineHandler({
  name: 'cleanupExport',
  input: z.object({ state: z.unknown() }).loose(),
  run: (input, { clients, env, logger }) => {
    const parsed = stateSchema.safeParse(input.state);
    const s = parsed.success ? parsed.data : {};
    return cleanupExport(
      clients,
      {
        runId: s.runId,
        jobName: s.jobName,
        staging: s.staging,
        destination: s.destination,
        keepStaging: s.job?.keepStaging,
        statementId: s.statement?.id,
      },
      { stateBucket: env.RT_STATE_BUCKET, logger },
    );
  },
  metrics: (input) => runFailed(input.state),
  lineage: {
    of: (input, _report, env) => {
      const failed = failedRun(input.state, exportJobSchema, env.AWS_REGION);
      if (failed === undefined) return undefined;
      const s = input.state as { destination?: unknown };
      const destination = typeof s.destination === 'string' ? s.destination : undefined;
      return exportLineage(failed.job, destination, failed.happening);
    },
    emit: emitLineage,
  },
});
