import { DESTINATION, notePayload, STAGING } from './_scenario.ts';

/** Stand-in for functions/planExport.ts: the run context, at once. */
export const handler = async (event: { input: { job: unknown } }) => {
  notePayload(event, 'PlanExport input');
  const output = {
    runId: '2024-01-01T02-00-00Z-0f3a9c2b',
    runDate: '2024-01-01',
    jobName: 'bench-orchestration',
    job: event.input.job,
    staging: STAGING,
    destination: DESTINATION,
    plannedAt: 1_704_074_400_000,
  };
  notePayload(output, 'PlanExport output');
  return output;
};
