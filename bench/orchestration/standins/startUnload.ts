import { notePayload } from './_scenario.ts';

/** Stand-in for functions/startUnload.ts: a submitted statement, at once. */
export const handler = async (event: unknown) => {
  notePayload(event, 'StartUnload input');
  return {
    id: 'd9b6c0c9-0747-4bf4-b142-e8883122f766',
    startedAt: 1_704_074_400_000,
    deadline: 1_704_074_400_000 + 3_600_000,
    attempt: 0,
    status: 'SUBMITTED',
    done: false,
    nextWaitSeconds: 1,
    resultRows: null,
    step: 'unload',
  };
};
