import { z } from 'zod';
import { startUnload } from '../src/export/startUnload.ts';
import { exportJobSchema } from '../src/job/exportJob.ts';
import { runIdSchema } from '../src/job/runContext.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * StartUnload: `{ runId, job, staging, executionName? }` -> the statement state for the poll loop
 * (`$.statement`). `executionName` (`$$.Execution.Name`) keys the Data API client token.
 */
export const handler = defineHandler({
  name: 'startUnload',
  input: z
    .object({
      runId: runIdSchema,
      job: exportJobSchema,
      staging: z.string(),
      executionName: z.string().optional(),
    })
    .strict(),
  run: (input, { clients }) => startUnload(clients.redshiftData, input, Date.now()),
});
