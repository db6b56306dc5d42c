import { pollSparkStep, pollSparkStepInputSchema } from '../src/emr/pollSparkStep.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/** PollSparkStep: `{ runId, spark }` -> the same state with `state`, `done`, `attempt + 1`, `nextWaitSeconds`. */
export const handler = defineHandler({
  name: 'pollSparkStep',
  input: pollSparkStepInputSchema,
  run: (input, { clients, logger }) => pollSparkStep({ emr: clients.emr, logger }, input),
});
