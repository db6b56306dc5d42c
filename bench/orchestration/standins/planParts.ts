import { notePayload, partUrl, putItems, scenario } from './_scenario.ts';

const schema = [
  { name: 'salesid', type: 'integer' },
  { name: 'listid', type: 'integer' },
  { name: 'sellerid', type: 'integer' },
  { name: 'buyerid', type: 'integer' },
  { name: 'eventid', type: 'integer' },
  { name: 'eventname', type: 'character varying' },
  { name: 'caldate', type: 'date' },
  { name: 'qtysold', type: 'smallint' },
  { name: 'pricepaid', type: 'numeric(8,2)' },
  { name: 'commission', type: 'numeric(8,2)' },
  { name: 'saletime', type: 'timestamp without time zone' },
];

/**
 * Stand-in for functions/planParts.ts: N parts as the UNLOAD manifest would list them, inline or
 * written to the state bucket for the Distributed Map (as the real task does).
 */
export const handler = async (event: { runId: string }) => {
  notePayload(event, 'PlanParts input');
  const parts = Array.from({ length: scenario.parts }, (_, index) => ({
    index,
    url: partUrl(index),
    contentLength: scenario.bytesPerPart,
    recordCount: scenario.rowsPerPart + 1,
  }));
  const base = {
    count: parts.length,
    resultsPrefix: `runs/bench-orchestration/${event.runId}/map-results`,
    manifestUri: `${partUrl(0).replace(/[^/]+$/, '')}manifest`,
    schema,
    totalRecords: parts.length * (scenario.rowsPerPart + 1),
  };
  let output: unknown;
  if (scenario.mode === 'inline') {
    output = { mode: 'inline', parts, ...base };
  } else {
    const itemsKey = `runs/bench-orchestration/${event.runId}/parts.json`;
    await putItems(itemsKey, JSON.stringify(parts));
    output = { mode: 'distributed', itemsBucket: scenario.stateBucket, itemsKey, ...base };
  }
  notePayload(output, 'PlanParts output');
  return output;
};
