import { z } from 'zod';
import { statementStateSchema } from '../src/dataapi/pollStatement.ts';
import { planParts } from '../src/export/planParts.ts';
import { exportJobSchema } from '../src/job/exportJob.ts';
import { runIdSchema } from '../src/job/runContext.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * PlanParts: `{ runId, job, staging, statement }` -> `{ mode: 'inline'|'distributed', count,
 * parts?, itemsBucket?, itemsKey?, resultsPrefix, manifestUri, schema, totalRecords }` (`$.parts`).
 */
export const handler = defineHandler({
  name: 'planParts',
  input: z
    .object({
      runId: runIdSchema,
      job: exportJobSchema,
      staging: z.string(),
      statement: statementStateSchema,
    })
    .strict(),
  run: (input, { clients, env }) => planParts(clients.s3, input, env.RT_STATE_BUCKET),
});
