import { z } from 'zod';
import { executionInputSchema } from '../src/job/runContext.ts';
import { clusterSlices, readLoadEnv } from '../src/load/loadEnv.ts';
import { startLoadPlan } from '../src/load/planLoad.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * StartLoadPlan: `{ input: <execution input>, executionName }` -> the run
 * `{ runId, runDate, jobName, job, stagingPrefix, plannedAt, statement, queries }` (ResultPath `$`).
 * Validates the job and starts the plan batch (ledger DDL, target columns, ledger rows, slices).
 */
export const handler = defineHandler({
  name: 'startLoadPlan',
  input: z.object({ input: executionInputSchema, executionName: z.string().optional() }).strict(),
  run: (input, { clients, env }) => {
    // Read per call (a cheap parse): the local runner sets the environment after imports.
    const loadEnv = readLoadEnv();
    return startLoadPlan({
      input: input.input,
      executionName: input.executionName,
      jobsDir: loadEnv.RT_JOBS_DIR,
      slicesFromEnv: clusterSlices(loadEnv, env),
      now: Date.now(),
      redshiftData: clients.redshiftData,
      s3: clients.s3,
    });
  },
});
