import { AWS_RATES_SOURCE } from '../lib/costModel.ts';
import { int, usd } from '../lib/format.ts';
import type { ResultRow, SuiteResult } from '../lib/results.ts';
import {
  fixedStrategy,
  ourStrategy,
  type PollSimulation,
  proportionalStrategy,
  simulatePolling,
} from './simulatePolling.ts';

/** The poll task's long poll as built (pollStatement's default) and the Data API maximum. */
const LONG_POLLS = [20, 30];
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
    const proposal = simulatePolling(proportionalStrategy(20), seconds);
    simulations.push(proposal);
    rows.push({ ...pollingRow(proposal, airflow), note: 'proposal, not built' });
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
      "pollDecision caps the wait at 60 s, so a long statement costs about T/80 polls (20 s long poll + 60 s wait): a 1 h UNLOAD takes ~50 polls, over the 2 log2(T) + 4 goal; doubling without a cap meets it but sees the end up to T late. The 'elapsed/2' proposal meets the goal with a delay under half the run time.",
      'Long polling inside the Lambda trades transitions for GB-s: at 512 MB a 20 s long poll costs ~7 times a state transition, so the poll function should be deployed at 128 MB.',
    ],
    details: { simulations },
    measuredAt: new Date().toISOString(),
  };
}
