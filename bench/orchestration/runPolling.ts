import { AWS_RATES_SOURCE } from '../lib/costModel.ts';
import { int, usd } from '../lib/format.ts';
import type { ResultRow, SuiteResult } from '../lib/results.ts';
import { fixedStrategy, ourStrategy, type PollSimulation, simulatePolling } from './simulatePolling.ts';

/** The poll task's long poll as built (pollStatement's default, the Data API maximum) and none. */
const LONG_POLLS = [30, 0];
export const STATEMENT_SECONDS = [5, 60, 3600];

const polls = (n: number) => `${int(n)} poll${n === 1 ? '' : 's'}`;

function durationText(s: number): string {
  return s >= 3600 ? `${s / 3600} h` : s >= 60 ? `${s / 60} min` : `${s} s`;
}

export function pollingRow(ours: PollSimulation, airflow: PollSimulation): ResultRow {
  return {
    case: `statement of ${durationText(ours.statementSeconds)}: ${ours.strategy}`,
    ours: `${polls(ours.polls)}, seen ${int(ours.detectionDelaySeconds)} s late, ${usd(ours.costUsd)}`,
    reference: `${airflow.strategy}: ${polls(airflow.polls)}, ${int(airflow.detectionDelaySeconds)} s late, ${usd(airflow.costUsd)}`,
    // Fewer polls is better: the ratio is how many times fewer.
    ratio: airflow.polls / ours.polls,
    memory: '',
    goal: `≤ 2 log2(T) + 4 = ${Math.floor(ours.pollGoal)} polls`,
    met: ours.polls <= ours.pollGoal,
  };
}

/**
 * Polling on a virtual clock: our Wait -> PollStatement -> Choice loop (pollDecision backoff and
 * the DescribeStatement long poll) against a fixed 10 s poll, for statements of 5 s, 1 min, 1 h.
 */
export function runPolling(): SuiteResult {
  const started = Date.now();
  const rows: ResultRow[] = [];
  const simulations: PollSimulation[] = [];
  for (const seconds of STATEMENT_SECONDS) {
    const airflow = simulatePolling(fixedStrategy(10), seconds);
    simulations.push(airflow);
    for (const longPoll of LONG_POLLS) {
      const ours = simulatePolling(ourStrategy(longPoll), seconds);
      simulations.push(ours);
      rows.push(pollingRow(ours, airflow));
    }
  }
  for (const s of simulations) {
    console.log(
      `  T=${String(s.statementSeconds).padStart(5)} s ${s.strategy.padEnd(48)} ${String(s.polls).padStart(4)} polls, delay ${s.detectionDelaySeconds} s, ${s.stateTransitions} transitions, poll task ${s.pollTaskSeconds} s, ${usd(s.costUsd)}`,
    );
  }
  return {
    name: 'polling',
    title: 'Polling (virtual clock)',
    status: 'ok',
    seconds: (Date.now() - started) / 1000,
    rows,
    notes: [
      'A poll = Wait + PollStatement + Choice (3 transitions) + one Lambda call billed for its long poll at 512 MB. Cost per statement at ' +
        `${AWS_RATES_SOURCE}. "Seen late" = from the statement's end to the poll that reports it.`,
      "pollDecision waits 0.3x the time elapsed (1 s to 15 min, never past the deadline) and the poll task long-polls 30 s: polls grow with log(T) (a 1 h UNLOAD: 14 polls; the first version's 60 s cap took ~44-50) and the end is seen within 0.3 T, at once when it falls in a long poll. The 15 min cap makes statements over ~5.5 h linear again (1 poll per 15.5 min) to bound the delay.",
      'Long polling inside the Lambda trades transitions for GB-s: at 512 MB a 30 s long poll costs ~10 times a state transition, so the poll function should be deployed at 128 MB.',
    ],
    details: { simulations },
    measuredAt: new Date().toISOString(),
  };
}
