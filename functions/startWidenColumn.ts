import { z } from 'zod';
import { loadJobSchema } from '../src/job/loadJob.ts';
import { startWidenColumn, widenedColumnSchema } from '../src/load/widenVarchar.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * StartWidenColumn: `{ runId, job, table, queue }` -> `{ statement, rest }` (ResultPath
 * `$.widening`): starts `ALTER TABLE ... ALTER COLUMN ... TYPE VARCHAR(n)` for the first column
 * of the queue (widenVarchar), on its own, before the load transaction.
 */
export const handler = defineHandler({
  name: 'startWidenColumn',
  input: z
    .object({
      runId: z.string(),
      executionName: z.string().optional(),
      job: loadJobSchema,
      table: z.object({ schema: z.string().min(1), name: z.string().min(1) }).strict(),
      queue: z.array(widenedColumnSchema).min(1),
    })
    .strict(),
  run: (input, { clients }) =>
    startWidenColumn(
      clients.redshiftData,
      input.job,
      {
        runId: input.runId,
        table: input.table,
        queue: input.queue,
        ...(input.executionName === undefined ? {} : { executionName: input.executionName }),
      },
      Date.now(),
    ),
});
