import { z } from 'zod';
import { transferLoadInput } from '../src/transfer/planTransfer.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * PlanTransferLoad: `{ runId, runDate, loadJob, unloadStaging }` after the UNLOAD finished ->
 * `{ load: { job, runId, runDate }, nothingToDo }` (ResultPath `$.next`): the load half's
 * execution input, its sources being the files of the UNLOAD manifest.
 */
export const handler = defineHandler({
  name: 'planTransferLoad',
  input: z
    .object({
      runId: z.string(),
      runDate: z.string(),
      // Validated as a whole load job once the UNLOAD's files are added as its sources.
      loadJob: z.record(z.string(), z.unknown()),
      unloadStaging: z.string(),
    })
    .strict(),
  run: async (input, { clients }) => {
    const { nothingToDo, ...load } = await transferLoadInput(clients.s3, {
      runId: input.runId,
      runDate: input.runDate,
      loadJob: input.loadJob as Parameters<typeof transferLoadInput>[1]['loadJob'],
      unloadStaging: input.unloadStaging,
    });
    return { load, nothingToDo };
  },
});
