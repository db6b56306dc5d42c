import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { resetRuntime } from '../../functions/_shared/runtime.ts';
import { loadDefinitionFile } from '../../local/sfn/loadDefinition.ts';
import { LocalRunner, type PreparedStateMachine } from '../../local/sfn/localRunner.ts';
import { startTestRedshift, type TestRedshift } from './testRedshift.ts';
import { startTestS3, type TestS3 } from './testS3.ts';

export interface TestStateMachine {
  s3: TestS3;
  redshift: TestRedshift;
  /** Connected to the Data API emulator's database, to create and check tables. */
  db: pg.Client;
  runner: LocalRunner;
  sm: PreparedStateMachine;
  /**
   * Where the handlers' EMF metric lines go (RT_METRICS_FILE, as the local stack sets it), so
   * they do not print among the test output; removed by stop().
   */
  metricsFile: string;
  /** Closes `db`, stops the Data API server (dropping its database) and S3. */
  stop(): Promise<void>;
}

/**
 * One state machine run in-process by the LocalRunner (waits scaled to 0, logs silent) against
 * real S3 with `buckets` created and the Data API emulator over a fresh database with `slices`
 * slices (RT_CLUSTER_SLICES matches it), metric lines in a temporary file. `env` adds or overrides handler environment. Call stop()
 * in afterAll.
 */
export async function startTestStateMachine(options: {
  kind: 'export' | 'load' | 'transfer';
  buckets: string[];
  slices: number;
  env?: Record<string, string>;
}): Promise<TestStateMachine> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const metricsDir = await mkdtemp(join(tmpdir(), 'rt-metrics-'));
    stops.push(() => rm(metricsDir, { recursive: true, force: true }));
    const metricsFile = join(metricsDir, 'metrics.jsonl');
    const s3 = await startTestS3();
    stops.push(() => s3.stop());
    for (const Bucket of options.buckets) await s3.client.send(new CreateBucketCommand({ Bucket }));
    const redshift = await startTestRedshift({ s3Endpoint: s3.endpoint, slices: options.slices });
    stops.push(() => redshift.stop());
    const db = new pg.Client(redshift.databaseUrl);
    await db.connect();
    stops.push(() => db.end());
    const runner = new LocalRunner({
      onEnvChange: resetRuntime,
      waitScale: 0,
      env: {
        RT_ENDPOINT_S3: s3.endpoint,
        RT_ENDPOINT_REDSHIFT_DATA: redshift.endpoint,
        RT_STATE_BUCKET: 'rt-state',
        RT_CLUSTER_SLICES: String(options.slices),
        RT_LOG_LEVEL: 'SILENT',
        RT_METRICS_FILE: metricsFile,
        ...options.env,
      },
    });
    const prepare = async (kind: string) => {
      const definition = await loadDefinitionFile(`statemachines/${kind}.asl.yml`, {
        region: 'us-east-1',
        stateBucket: 'rt-state',
      });
      return runner.prepare(definition, { name: `redshift-transfer-${kind}` });
    };
    // A transfer runs the load state machine as its child execution, on the same runner.
    if (options.kind === 'transfer') await prepare('load');
    const sm = await prepare(options.kind);
    return { s3, redshift, db, runner, sm, metricsFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The buckets a load test writes to: its sources, the staging prefix and the run state. */
export const LOAD_TEST_BUCKETS = ['rt-landing', 'rt-staging', 'rt-state'];

/**
 * The state machine for the tests of one file (or describe block): started before them, stopped
 * after them. The returned object is filled in when it has started, so read its fields in tests.
 */
export function useTestStateMachine(options: Parameters<typeof startTestStateMachine>[0]): TestStateMachine {
  const live = {} as TestStateMachine;
  beforeAll(async () => {
    Object.assign(live, await startTestStateMachine(options));
  }, 120_000);
  afterAll(async () => {
    await live.stop?.();
  });
  return live;
}
