import type { S3Client } from '@aws-sdk/client-s3';
import type { HistoryRecorder } from './historyRecorder.ts';
import type { FunctionLoader } from './invokeFunction.ts';
import type { Json, JsonObject } from './loadDefinition.ts';

/** What every execution of one runner shares. */
export interface RunnerServices {
  region: string;
  loader: FunctionLoader;
  /** The S3 client Distributed Maps read items from and write results to. */
  s3: () => S3Client;
  /** Multiplies every Wait (0 = no waiting). */
  waitScale: number;
  /** Upper bound on a Distributed Map's concurrent child executions in this process. */
  mapConcurrencyLimit: number;
  /** StartExecution of a state machine this runner prepared (`startExecution.sync:2` tasks). */
  startExecution: (stateMachineArn: string, input: Json, name?: string) => ChildExecution;
}

/** What a parent task sees of the child execution it started (a LocalExecution, live). */
export interface ChildExecution {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  startDate: Date;
  stopDate?: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  output?: string;
  error?: string;
  cause?: string;
  done: Promise<unknown>;
  stop(error?: string, cause?: string): void;
}

export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable: number;
  pendingRedrive: number;
}

/** A Distributed Map run as DescribeMapRun reports it; updated live while it runs. */
export interface MapRunInfo {
  mapRunArn: string;
  executionArn: string;
  stateName: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  itemCounts: MapRunCounts;
  executionCounts: MapRunCounts;
}

/** One execution (or one Distributed Map's children) as its task handlers see it. */
export interface ExecutionScope {
  services: RunnerServices;
  recorder: HistoryRecorder;
  signal: AbortSignal;
  stateMachineArn: string;
  executionArn: string;
  /** The context object (`$$`) apart from Map and State: Execution and StateMachine. */
  context: JsonObject;
  /** Every map run of the top-level execution, by ARN. */
  mapRuns: Map<string, MapRunInfo>;
}

export const emptyCounts = (): MapRunCounts => ({
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  timedOut: 0,
  aborted: 0,
  total: 0,
  resultsWritten: 0,
  failuresNotRedrivable: 0,
  pendingRedrive: 0,
});
