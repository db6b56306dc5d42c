import { submitSparkStep, submitSparkStepInputSchema } from '../src/emr/submitSparkStep.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/** SubmitSparkStep: `{ runId, job, result }` -> `{ clusterId, stepId, deadline, attempt: 0, nextWaitSeconds, done: false }`. */
export const handler = defineHandler({
  name: 'submitSparkStep',
  input: submitSparkStepInputSchema,
  run: (input, { clients, logger }) => submitSparkStep({ emr: clients.emr, logger }, input),
});
