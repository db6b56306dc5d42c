import { z } from 'zod';
import { statementStateSchema } from '../src/dataapi/pollStatement.ts';
import { emitLineage } from '../src/lineage/emitLineage.ts';
import { loadLineage } from '../src/lineage/jobLineage.ts';
import { loadRunSchema, planLoad, planQueriesSchema } from '../src/load/planLoad.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * PlanLoad: `{ runId, run, statement, queries }` -> `{ mode, context, parts | itemsKey,
 * resultsPrefix, skipped, deferred, nothingToDo }` (ResultPath `$.plan`). Reads the finished plan batch, lists the sources, skips
 * what the ledger has, and splits the work into parts for the Map.
 */
export const handler = defineHandler({
  name: 'planLoad',
  input: z
    .object({
      runId: z.string(),
      run: loadRunSchema,
      statement: statementStateSchema,
      queries: planQueriesSchema,
    })
    .strict(),
  run: (input, { clients, env }) =>
    planLoad({
      run: input.run,
      statement: input.statement,
      queries: input.queries,
      s3: clients.s3,
      redshiftData: clients.redshiftData,
      stateBucket: env.RT_STATE_BUCKET,
      inlineMaxParts: env.RT_LOAD_INLINE_MAX_PARTS,
    }),
  lineage: {
    of: (input, _plan, env) =>
      loadLineage(input.run.job, {
        eventType: 'START',
        runId: input.run.runId,
        region: env.AWS_REGION,
        now: new Date(),
      }),
    emit: emitLineage,
  },
});
