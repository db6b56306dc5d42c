import { z } from 'zod';
import { executionInputSchema } from '../src/job/runContext.ts';
import { planTransfer } from '../src/transfer/planTransfer.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * PlanTransfer: `{ input: <execution input>, executionName }` -> `{ runId, runDate, jobName,
 * transfer, exportJob, unloadStaging, loadJob, stagingPrefix, plannedAt }` (ResultPath `$`):
 * the transfer split into its export (UNLOAD) and load halves.
 */
export const handler = defineHandler({
  name: 'planTransfer',
  input: z.object({ input: executionInputSchema, executionName: z.string().optional() }).strict(),
  run: (input, { env }) =>
    planTransfer({
      input: input.input,
      executionName: input.executionName,
      jobsDir: env.RT_JOBS_DIR,
      now: Date.now(),
    }),
});
