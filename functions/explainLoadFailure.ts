import { z } from 'zod';
import { explainLoadFailure } from '../src/load/loadStatement.ts';
import { loadStatementStateSchema } from '../src/load/loadStatementState.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * ExplainLoadFailure: `{ runId, job, context, prepared, statement }` after the load transaction
 * FAILED; always throws the named error: RowCountMismatchError (a check rolled it back),
 * LoadError (COPY, with file/line/column/reason from sys_load_error_detail, mapped back to the
 * source object's line through the part's line map in staging) or
 * StatementFailedError naming the step.
 */
export const handler = defineHandler({
  name: 'explainLoadFailure',
  input: loadStatementStateSchema
    .extend({
      /** The plan's parts, to name the source object of a rejected chunk line. */
      parts: z.array(z.object({ index: z.number(), bucket: z.string(), key: z.string() }).loose()).optional(),
    })
    .strict(),
  run: (input, { clients }) =>
    explainLoadFailure(clients.redshiftData, input.job, input.context, input.prepared, input.statement, {
      parts: input.parts,
      s3: clients.s3,
    }),
});
