import { DESTINATION, notePayload, scenario } from './_scenario.ts';

/** Stand-in for functions/finalizeExport.ts: the export summary, at once. */
export const handler = async (event: unknown) => {
  notePayload(event, 'FinalizeExport input');
  return {
    manifestUri: `${DESTINATION}_manifest.json`,
    destination: DESTINATION,
    rows: scenario.parts * scenario.rowsPerPart,
    parts: scenario.parts,
    bytes: scenario.parts * scenario.bytesPerPart,
  };
};
