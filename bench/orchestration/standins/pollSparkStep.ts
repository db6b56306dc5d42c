import { notePayload } from './_scenario.ts';

/** Stand-in for functions/pollSparkStep.ts: COMPLETED on the first poll. */
export const handler = async (event: { spark: Record<string, unknown> }) => {
  notePayload(event, 'PollSparkStep input');
  return { ...event.spark, attempt: 1, state: 'COMPLETED', done: true, nextWaitSeconds: 0 };
};
