import { z } from 'zod';
import { loadJobSchema } from '../src/job/loadJob.ts';
import { loadContextSchema } from '../src/load/loadRun.ts';
import { writeCopyManifest } from '../src/load/writeCopyManifest.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * WriteCopyManifest: `{ runId, job, context }` -> `{ manifestUri, objectsUri, records, rejected,
 * files, bytes, objects, loadId }` (ResultPath `$.prepared`). Collects the part summaries,
 * enforces maxErrors, writes the COPY manifest and the ledger's objects file.
 */
export const handler = defineHandler({
  name: 'writeCopyManifest',
  input: z.object({ runId: z.string(), job: loadJobSchema, context: loadContextSchema }).strict(),
  run: (input, { clients }) => writeCopyManifest(clients.s3, input.job, input.context),
});
