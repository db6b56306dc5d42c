import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { exportStages, loadStagesOf, stageSeconds } from '../../../bench/e2e-local/runE2eLocal.ts';
import { type OrchestrationRun, orchestrationRow } from '../../../bench/orchestration/runOrchestration.ts';
import { pollingRow } from '../../../bench/orchestration/runPolling.ts';
import { fixedStrategy, ourStrategy, simulatePolling } from '../../../bench/orchestration/simulatePolling.ts';
import { type CaseResult, flatRssRows } from '../../../bench/part-processing/runPartProcessing.ts';

const run = (overrides: Partial<OrchestrationRun>): OrchestrationRun => ({
  parts: 100_000,
  mode: 'distributed',
  status: 'SUCCEEDED',
  stateTransitions: 1_016,
  lambdaInvocations: 1_007,
  childExecutions: 1_000,
  parentHistoryEvents: 72,
  largestPayloadBytes: 34_000,
  largestPayloadWhere: 'ProcessParts batch output',
  costUsd: 0.0263,
  wallSeconds: 12,
  ...overrides,
});

describe('Function: orchestrationRow', () => {
  it('meets the goals when transitions, history and payloads are within bounds', () => {
    expect(orchestrationRow(run({}))).toEqual({
      case: 'N=100,000 parts, Distributed Map, batches of 100',
      ours: '1,016 transitions, 1,007 Lambda calls, 72 parent events, max payload 33.2 KiB, $0.0263/run',
      reference: '≤ 10,030 transitions, < 1,000 events, < 256 KiB',
      ratio: null,
      memory: '',
      goal: 'all three',
      met: true,
    });
  });

  it.each([
    ['too many transitions', { stateTransitions: 10_031 }],
    ['a long parent history', { parentHistoryEvents: 1_000 }],
    ['a payload at the limit', { largestPayloadBytes: 262_144 }],
  ])('misses the goal with %s', (_what, overrides) => {
    expect(orchestrationRow(run(overrides)).met).toBe(false);
  });

  it('shows a failed run by its error name', () => {
    const row = orchestrationRow(
      run({
        mode: 'inline',
        status: 'FAILED',
        error: 'States.DataLimitExceeded: The result of ...',
        stateTransitions: 15,
      }),
    );
    expect(row.ours).toBe('fails: States.DataLimitExceeded (after 15 transitions)');
    expect(row.case).toBe('N=100,000 parts, inline Map');
    expect(row.met).toBe(false);
  });
});

describe('Function: pollingRow', () => {
  it('compares polls with the fixed poll and checks the log goal', () => {
    const row = pollingRow(simulatePolling(ourStrategy(30), 60), simulatePolling(fixedStrategy(10), 60));
    expect(row.case).toBe('statement of 1 min: ours (backoff + 30 s long poll)');
    expect(row.ours).toMatch(/^2 polls, seen 0 s late, \$/);
    expect(row.reference).toMatch(/^fixed 10 s poll: 6 polls, 0 s late, \$/);
    expect(row.ratio).toBe(3);
    expect(row.goal).toBe('≤ 2 log2(T) + 4 = 15 polls');
    expect(row.met).toBe(true);
  });
});

describe('Function: flatRssRows', () => {
  const result = (csvBytes: number, maxRssKiB: number): CaseResult => ({
    case: 'verify',
    csvBytes,
    ours: { seconds: 1, maxRssKiB, bytesOut: 1, records: 1 },
    native: { seconds: 1, maxRssKiB: 1 },
    ratio: 1,
  });

  it('compares the largest part with the smallest for each case', () => {
    expect(flatRssRows([result(1e9, 110 * 1024), result(1e8, 100 * 1024)])).toEqual([
      {
        case: 'verify: peak RSS 100 MB vs 1.0 GB',
        ours: '100 MiB -> 110 MiB',
        reference: '10x the data',
        ratio: null,
        memory: '1.10x',
        goal: 'flat (≤ 1.25x)',
        met: true,
      },
    ]);
    expect(flatRssRows([result(1e8, 100 * 1024), result(1e9, 300 * 1024)])[0]?.met).toBe(false);
  });

  it('has nothing to compare with one size', () => {
    expect(flatRssRows([result(1e8, 100)])).toEqual([]);
  });
});

describe('Function: stageSeconds', () => {
  const at = (ms: number) => new Date(1_700_000_000_000 + ms);
  const entered = (name: string, ms: number, type = 'TaskStateEntered'): HistoryEvent =>
    ({ type, timestamp: at(ms), id: 0, stateEnteredEventDetails: { name } }) as HistoryEvent;
  const history: HistoryEvent[] = [
    { type: 'ExecutionStarted', timestamp: at(0), id: 1 } as HistoryEvent,
    entered('PlanExport', 10),
    entered('StartUnload', 110),
    entered('PlanParts', 2_110),
    entered('ProcessPartsInline', 2_210, 'MapStateEntered'),
    entered('FinalizeExport', 5_210),
    entered('DropPartLists', 5_310, 'PassStateEntered'),
    { type: 'ExecutionSucceeded', timestamp: at(5_400), id: 9 } as HistoryEvent,
  ];

  it('measures from one state entry to the next, or to the end', () => {
    expect(stageSeconds(history, 'StartUnload', 'PlanParts')).toBe(2);
    expect(stageSeconds(history, 'FinalizeExport', undefined)).toBe(0.19);
    expect(stageSeconds(history, 'Nope', 'PlanParts')).toBeNull();
  });

  it('breaks an export into its stages, whichever Map ran', () => {
    expect(exportStages(history)).toEqual({ plan: 0.1, unload: 2, planParts: 0.1, parts: 3, finalize: 0.1 });
  });

  it('reports missing load states as null', () => {
    expect(loadStagesOf(history)).toEqual({ plan: null, prepare: null, copyMerge: null, finish: null });
  });
});
