import { z } from 'zod';
import { explainPrepareFailure } from '../src/load/explainPrepareFailure.ts';
import { loadContextSchema } from '../src/load/loadRun.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * ExplainPrepareFailure: `{ runId, context, error }` after the Distributed Map of PreparePart
 * failed; always throws the named error a part recorded (BadRecordError, SchemaMismatchError...).
 */
export const handler = defineHandler({
  name: 'explainPrepareFailure',
  input: z
    .object({
      runId: z.string(),
      context: loadContextSchema,
      error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).loose(),
    })
    .strict(),
  run: (input, { clients }) => explainPrepareFailure(clients.s3, input.context, input.error),
});
