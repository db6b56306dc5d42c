import { z } from 'zod';
import { loadJobSchema } from '../src/job/loadJob.ts';
import { loadContextSchema } from '../src/load/loadRun.ts';
import { startLoad } from '../src/load/loadStatement.ts';
import { preparedLoadSchema } from '../src/load/writeCopyManifest.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * StartLoad: `{ runId, job, context, prepared }` -> the statement state (ResultPath `$.statement`)
 * of the one load transaction (lock, stage, COPY, de-duplicate, checks, merge, ledger).
 */
export const handler = defineHandler({
  name: 'startLoad',
  input: z
    .object({
      runId: z.string(),
      executionName: z.string().optional(),
      job: loadJobSchema,
      context: loadContextSchema,
      prepared: preparedLoadSchema,
    })
    .strict(),
  run: (input, { clients }) =>
    startLoad(
      clients.redshiftData,
      input.job,
      input.context,
      input.prepared,
      Date.now(),
      input.executionName,
    ),
});
