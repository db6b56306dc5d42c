import { notePayload } from './_scenario.ts';

/** Stand-in for functions/submitSparkStep.ts (only runs when the job has a spark block). */
export const handler = async (event: unknown) => {
  notePayload(event, 'SubmitSparkStep input');
  return {
    clusterId: 'j-2AXXXXXXGAPLF',
    stepId: 's-1XXXXXXXXXXA',
    deadline: 1_704_081_600_000,
    attempt: 0,
    nextWaitSeconds: 30,
    done: false,
  };
};
