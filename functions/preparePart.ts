import { z } from 'zod';
import { loadJobSchema } from '../src/job/loadJob.ts';
import { loadContextSchema, loadPartSchema } from '../src/load/loadRun.ts';
import { preparePart } from '../src/load/preparePart.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * PreparePart (one Map iteration): `{ runId, job, context, part }` -> `{ index, records,
 * rejected, files }`. Streams one source object into checked gzip chunks in staging and leaves
 * its summary there. Throws BadRecordError / SchemaMismatchError naming file, line and column.
 */
export const handler = defineHandler({
  name: 'preparePart',
  input: z
    .object({ runId: z.string(), job: loadJobSchema, context: loadContextSchema, part: loadPartSchema })
    .strict(),
  run: async (input, { clients }) => {
    const summary = await preparePart({
      s3: clients.s3,
      job: input.job,
      context: input.context,
      part: input.part,
    });
    return {
      index: summary.index,
      records: summary.records,
      rejected: summary.rejected,
      files: summary.files.length,
    };
  },
});
