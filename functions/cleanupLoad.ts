import { z } from 'zod';
import { loadJobSchema } from '../src/job/loadJob.ts';
import { emitLineage } from '../src/lineage/emitLineage.ts';
import { failedRun } from '../src/lineage/failedRun.ts';
import { loadLineage } from '../src/lineage/jobLineage.ts';
import { cleanupLoad } from '../src/load/cleanupLoad.ts';
import { loadStatePrefix } from '../src/load/planLoad.ts';
import { runFailed } from '../src/metrics/runMetrics.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * CleanupLoad: `{ state: <the whole execution state> }` -> what was cancelled and removed.
 * Runs after success and after a failure; reads what it can (a failure may come before the plan)
 * and never throws over the run's own error.
 */
const stateSchema = z
  .object({
    runId: z.string().optional(),
    jobName: z.string().optional(),
    stagingPrefix: z.string().optional(),
    job: z.object({ keepStaging: z.boolean().optional() }).loose().optional(),
    statement: z.object({ id: z.string(), done: z.boolean().optional() }).loose().optional(),
  })
  .loose();

export const handler = defineHandler({
  name: 'cleanupLoad',
  input: z.object({ state: z.unknown() }).loose(),
  run: (input, { clients, env, logger }) => {
    const parsed = stateSchema.safeParse(input.state);
    const s = parsed.success ? parsed.data : {};
    return cleanupLoad(
      clients,
      {
        stagingPrefix: s.stagingPrefix,
        keepStaging: s.job?.keepStaging,
        statementId: s.statement?.done === true ? undefined : s.statement?.id,
        state:
          env.RT_STATE_BUCKET === undefined || s.jobName === undefined || s.runId === undefined
            ? undefined
            : { bucket: env.RT_STATE_BUCKET, prefix: loadStatePrefix(s.jobName, s.runId) },
      },
      logger,
    );
  },
  metrics: (input) => runFailed(input.state),
  lineage: {
    of: (input, _report, env) => {
      const failed = failedRun(input.state, loadJobSchema, env.AWS_REGION);
      return failed === undefined ? undefined : loadLineage(failed.job, failed.happening);
    },
    emit: emitLineage,
  },
});
