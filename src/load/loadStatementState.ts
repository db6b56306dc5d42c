import { z } from 'zod';
import { statementStateSchema } from '../dataapi/pollStatement.ts';
import { loadJobSchema } from '../job/loadJob.ts';
import { loadContextSchema } from './loadRun.ts';
import { preparedLoadSchema } from './writeCopyManifest.ts';

/**
 * What the load state machine hands the tasks that follow its transaction (FinishLoad when it
 * FINISHED, ExplainLoadFailure when it FAILED): the run, its job and context, the prepared
 * chunks and the polled statement.
 */
export const loadStatementStateSchema = z.object({
  runId: z.string(),
  job: loadJobSchema,
  context: loadContextSchema,
  prepared: preparedLoadSchema,
  statement: statementStateSchema,
});
export type LoadStatementState = z.infer<typeof loadStatementStateSchema>;
