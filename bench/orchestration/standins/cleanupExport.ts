import { notePayload } from './_scenario.ts';

/** Stand-in for functions/cleanupExport.ts (only runs when a run fails). */
export const handler = async (event: unknown) => {
  notePayload(event, 'CleanupExport input');
  return { cancelled: false, removed: 0 };
};
