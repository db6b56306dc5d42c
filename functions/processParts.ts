import { z } from 'zod';
import { columnSchema, partItemSchema } from '../src/export/exportRun.ts';
import { processPartBatch } from '../src/export/processParts.ts';
import { exportJobSchema } from '../src/job/exportJob.ts';
import { runIdSchema } from '../src/job/runContext.ts';
import { defineHandler } from './_shared/defineHandler.ts';

const context = {
  runId: runIdSchema,
  job: exportJobSchema,
  staging: z.string(),
  destination: z.string(),
  schema: z.array(columnSchema),
};

/**
 * ProcessParts: one part from the inline Map (`{ runId, job, staging, destination, schema, part }`)
 * or a Distributed Map batch (`{ Items: [part...], BatchInput: { runId, job, staging, destination,
 * schema } }`) -> `{ parts: [{ index, source, url, records, rows, bytesIn, bytesOut, sha256, verified }] }`.
 * In the inline Map the task's ResultSelector keeps `{ i, records, rows, bytesOut, sha256, verified }`
 * of it (finalize rebuilds the rest from the plan), so the part list and results fit 256 KiB.
 */
export const handler = defineHandler({
  name: 'processParts',
  input: z.union([
    z.object({ ...context, part: partItemSchema }).strict(),
    z.object({ Items: z.array(partItemSchema).min(1), BatchInput: z.object(context).strict() }).strict(),
  ]),
  run: async (input, { clients }) => {
    const [ctx, parts] = 'Items' in input ? [input.BatchInput, input.Items] : [input, [input.part]];
    return { parts: await processPartBatch(clients.s3, ctx, parts) };
  },
});
