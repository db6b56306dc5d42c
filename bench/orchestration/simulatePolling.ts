import { pollDecision } from '../../src/dataapi/pollDecision.ts';
import { AWS_RATES, gbSeconds } from '../lib/costModel.ts';

/** How a workflow waits for a statement: the poll loop is Wait -> poll task -> Choice. */
export interface PollStrategy {
  name: string;
  /** DescribeStatement WaitTimeSeconds inside the poll task (0 = plain DescribeStatement). */
  longPollSeconds: number;
  /** The wait before the first poll (what the start task returns). */
  firstWaitSeconds: number;
  /** Seconds to wait after a poll that found the statement still running. */
  nextWait(input: { attempt: number; nowSeconds: number; deadlineSeconds: number }): number;
}

/** Our loop as built: pollDecision's backoff, and the poll task's long poll (pollStatement). */
export function ourStrategy(longPollSeconds: number): PollStrategy {
  return {
    name: `ours (backoff + ${longPollSeconds} s long poll)`,
    longPollSeconds,
    firstWaitSeconds: 1,
    nextWait: ({ attempt, nowSeconds, deadlineSeconds }) =>
      pollDecision({
        status: 'STARTED',
        attempt,
        startedAt: 0,
        deadline: deadlineSeconds * 1000,
        now: nowSeconds * 1000,
      }).nextWaitSeconds,
  };
}

/** A poll every `seconds` with no long poll (Airflow's RedshiftDataHook default is 10 s). */
export function fixedStrategy(seconds: number): PollStrategy {
  return {
    name: `fixed ${seconds} s poll`,
    longPollSeconds: 0,
    firstWaitSeconds: seconds,
    nextWait: () => seconds,
  };
}

/** Doubling waits with no cap and no long poll: the log2(T) bound, paid for in detection delay. */
export function uncappedDoublingStrategy(): PollStrategy {
  return {
    name: 'doubling, no cap, no long poll',
    longPollSeconds: 0,
    firstWaitSeconds: 1,
    nextWait: ({ attempt }) => 2 ** Math.min(attempt, 30),
  };
}

/**
 * A proposal, not what the product does: wait half the time elapsed so far (at least doubling
 * from 1 s, at most `capSeconds`) with the long poll. Polls grow with log(T) and a finished
 * statement is seen within half its run time (within the long poll's reach, at once).
 */
export function proportionalStrategy(longPollSeconds: number, capSeconds = 600): PollStrategy {
  return {
    name: `elapsed/2 backoff (cap ${capSeconds} s) + ${longPollSeconds} s long poll`,
    longPollSeconds,
    firstWaitSeconds: 1,
    nextWait: ({ attempt, nowSeconds, deadlineSeconds }) =>
      Math.max(
        1,
        Math.min(
          capSeconds,
          Math.max(2 ** Math.min(attempt, 30), Math.floor(nowSeconds / 2)),
          Math.ceil(deadlineSeconds - nowSeconds),
        ),
      ),
  };
}

export interface PollSimulation {
  strategy: string;
  statementSeconds: number;
  /** DescribeStatement calls (= poll task invocations). */
  polls: number;
  /** Seconds from the statement's end to the poll that saw it. */
  detectionDelaySeconds: number;
  /** Wait + poll task + Choice per poll. */
  stateTransitions: number;
  /** Seconds the poll tasks ran (long polls included), for Lambda GB-s. */
  pollTaskSeconds: number;
  /** Transitions + Lambda requests + GB-s at `memoryMb`, in USD. */
  costUsd: number;
  /** 2 log2(T) + 4, the goal for polls. */
  pollGoal: number;
}

export interface SimulateOptions {
  /** The statement's deadline after its start (default max(3600, 2T)). */
  deadlineSeconds?: number;
  /** Time one poll task takes besides the long poll (default 0.05 s). */
  taskOverheadSeconds?: number;
  memoryMb?: number;
}

/**
 * Runs a poll loop on a virtual clock for a statement that finishes `statementSeconds` after it
 * starts. A long poll returns as soon as the statement completes (the Data API's WaitTimeSeconds:
 * "the number of seconds to wait for the SQL statement to complete"), otherwise after its wait.
 */
export function simulatePolling(
  strategy: PollStrategy,
  statementSeconds: number,
  options: SimulateOptions = {},
): PollSimulation {
  const deadline = options.deadlineSeconds ?? Math.max(3600, 2 * statementSeconds);
  const overhead = options.taskOverheadSeconds ?? 0.05;
  const memoryMb = options.memoryMb ?? 512;
  let now = strategy.firstWaitSeconds;
  let polls = 0;
  let taskSeconds = 0;
  for (;;) {
    polls++;
    const longPoll = Math.max(0, Math.min(strategy.longPollSeconds, Math.floor(deadline - now)));
    const returnsAt = statementSeconds <= now + longPoll ? Math.max(now, statementSeconds) : now + longPoll;
    taskSeconds += returnsAt - now + overhead;
    now = returnsAt;
    if (now >= statementSeconds) break;
    if (now >= deadline)
      throw new Error(`statement of ${statementSeconds} s passed its ${deadline} s deadline`);
    if (polls > 1_000_000) throw new Error(`${strategy.name} did not converge`);
    now += strategy.nextWait({ attempt: polls - 1, nowSeconds: now, deadlineSeconds: deadline });
  }
  const stateTransitions = polls * 3;
  const gbs = gbSeconds(1, taskSeconds, memoryMb);
  const costUsd =
    stateTransitions * AWS_RATES.sfnStandardPerTransition +
    polls * AWS_RATES.lambdaPerRequest +
    gbs * AWS_RATES.lambdaPerGbSecondX86;
  return {
    strategy: strategy.name,
    statementSeconds,
    polls,
    detectionDelaySeconds: now - statementSeconds,
    stateTransitions,
    pollTaskSeconds: Math.round(taskSeconds * 1000) / 1000,
    costUsd,
    pollGoal: pollGoal(statementSeconds),
  };
}

/** The polling goal: at most 2 log2(T) + 4 DescribeStatement calls for a statement of T seconds. */
export function pollGoal(statementSeconds: number): number {
  return 2 * Math.log2(Math.max(1, statementSeconds)) + 4;
}
