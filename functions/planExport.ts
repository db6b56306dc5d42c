import { z } from 'zod';
import { planExport } from '../src/export/planExport.ts';
import { executionInputSchema } from '../src/job/runContext.ts';
import { emitLineage } from '../src/lineage/emitLineage.ts';
import { exportLineage } from '../src/lineage/jobLineage.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * PlanExport: `{ input: <execution input>, executionName }` -> the run context
 * `{ runId, runDate, jobName, job, staging, destination, plannedAt }` (ASL ResultPath `$`).
 */
export const handler = defineHandler({
  name: 'planExport',
  input: z.object({ input: executionInputSchema, executionName: z.string().optional() }).strict(),
  run: (input, { clients, env }) =>
    planExport({
      input: input.input,
      executionName: input.executionName,
      jobsDir: env.RT_JOBS_DIR,
      now: Date.now(),
      s3: clients.s3,
    }),
  lineage: {
    of: (_input, run, env) =>
      exportLineage(run.job, run.destination, {
        eventType: 'START',
        runId: run.runId,
        region: env.AWS_REGION,
        now: new Date(),
      }),
    emit: emitLineage,
  },
});
