import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  emptyProgress,
  foldProgress,
  formatBytes,
  formatDuration,
  formatProgress,
  stageTimings,
  withMapRun,
} from '../../../cli/progress.ts';

const at = (s: number) => new Date(Date.UTC(2024, 2, 1, 2, 0, s));
let id = 0;
const event = (s: number, e: Omit<HistoryEvent, 'id' | 'timestamp'>): HistoryEvent => ({
  id: ++id,
  timestamp: at(s),
  ...e,
});
const entered = (s: number, type: string, name: string) =>
  event(s, { type: `${type}StateEntered` as HistoryEvent['type'], stateEnteredEventDetails: { name } });
const exited = (s: number, type: string, name: string) =>
  event(s, { type: `${type}StateExited` as HistoryEvent['type'], stateExitedEventDetails: { name } });
const lambdaOutput = (s: number, output: unknown) =>
  event(s, {
    type: 'LambdaFunctionSucceeded',
    lambdaFunctionSucceededEventDetails: { output: JSON.stringify(output) },
  });

const history: HistoryEvent[] = [
  event(0, { type: 'ExecutionStarted' }),
  entered(0, 'Task', 'StartUnload'),
  exited(1, 'Task', 'StartUnload'),
  entered(1, 'Wait', 'WaitForUnload'),
  exited(3, 'Wait', 'WaitForUnload'),
  entered(3, 'Wait', 'WaitForUnload'),
  exited(5, 'Wait', 'WaitForUnload'),
  entered(5, 'Map', 'ProcessParts'),
  event(5, { type: 'MapStateStarted', mapStateStartedEventDetails: { length: 4 } }),
  event(5, {
    type: 'MapIterationStarted',
    mapIterationStartedEventDetails: { name: 'ProcessParts', index: 0 },
  }),
  entered(5, 'Task', 'ProcessPart'),
  lambdaOutput(7, { parts: [{ rows: 1000, bytesOut: 4_000_000 }] }),
  exited(7, 'Task', 'ProcessPart'),
  event(7, {
    type: 'MapIterationSucceeded',
    mapIterationSucceededEventDetails: { name: 'ProcessParts', index: 0 },
  }),
  event(7, {
    type: 'MapIterationStarted',
    mapIterationStartedEventDetails: { name: 'ProcessParts', index: 1 },
  }),
  entered(7, 'Task', 'ProcessPart'),
  lambdaOutput(9, { parts: [{ rows: 500, bytesOut: 4_000_000 }] }),
];

describe('progress', () => {
  it('folds history into state, parts, rows, bytes and MB/s since processing began', () => {
    const progress = foldProgress(emptyProgress(), history);
    expect(progress).toMatchObject({
      state: 'ProcessPart',
      partsDone: 2,
      partsTotal: 4,
      rows: 1500,
      bytes: 8_000_000,
    });
    expect(formatProgress(progress)).toBe('ProcessPart · parts 2/4 · 1,500 rows · 8.0 MB · 2.0 MB/s');
  });

  it('takes the final { rows, parts, bytes } summary as the truth', () => {
    const progress = foldProgress(foldProgress(emptyProgress(), history), [
      lambdaOutput(12, { manifestUri: 's3://b/_manifest.json', rows: 4000, parts: 4, bytes: 16_000_000 }),
    ]);
    expect(progress).toMatchObject({ rows: 4000, partsDone: 4, partsTotal: 4, bytes: 16_000_000 });
  });

  it('counts Distributed Map parts from the map run', () => {
    expect(withMapRun({ ...emptyProgress(), partsDone: 1 }, { succeeded: 300, total: 1000 })).toMatchObject({
      partsDone: 300,
      partsTotal: 1000,
    });
    expect(formatProgress(emptyProgress())).toBe('starting');
  });

  it('times each top-level state once, polling loops summed, map iterations inside their Map', () => {
    const closed = [
      ...history,
      exited(9, 'Task', 'ProcessPart'),
      event(9, {
        type: 'MapIterationSucceeded',
        mapIterationSucceededEventDetails: { name: 'ProcessParts', index: 1 },
      }),
      exited(10, 'Map', 'ProcessParts'),
    ];
    expect(stageTimings(closed)).toEqual([
      { state: 'StartUnload', millis: 1000, entries: 1 },
      { state: 'WaitForUnload', millis: 4000, entries: 2 },
      { state: 'ProcessParts', millis: 5000, entries: 1 },
    ]);
  });

  it.each([
    [512, '512 B'],
    [2048, '2.0 kB'],
    [52_100_000, '52.1 MB'],
    [3_200_000_000, '3.20 GB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [250, '250ms'],
    [12_340, '12.3s'],
    [125_000, '2m05s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
