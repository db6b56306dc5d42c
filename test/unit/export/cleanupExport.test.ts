import { ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import type { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '../../../functions/_shared/runtime.ts';
import { handler as cleanupHandler } from '../../../functions/cleanupExport.ts';
import { createRedshiftDataClient } from '../../../src/aws/clients.ts';
import { cleanupExport } from '../../../src/export/cleanupExport.ts';
import { useMetricsFile } from '../../helpers/metricsFile.ts';
import { startTestRedshift, type TestRedshift, waitForStatement } from '../../helpers/testRedshift.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';
import { createBuckets, keys, put } from './fixtures.ts';

// Handler metric lines go to a temporary file, not the test output.
useMetricsFile();

let s3: TestS3;
let redshift: TestRedshift;
const savedEnv = { ...process.env };
/** Keys of every DeleteObjects request, in the order they were sent. */
const deletes: string[][] = [];

beforeAll(async () => {
  s3 = await startTestS3();
  await createBuckets(s3.client);
  redshift = await startTestRedshift({ s3Endpoint: s3.endpoint });
  s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteObjectsCommand') {
        const input = (args.input as DeleteObjectsCommand['input']).Delete;
        deletes.push((input?.Objects ?? []).map((o) => o.Key ?? ''));
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordDeletes' },
  );
});

afterAll(async () => {
  process.env = savedEnv;
  resetRuntime();
  await redshift?.stop();
  await s3?.stop();
});

const clients = () => ({ s3: s3.client, redshiftData: redshift.client });

/**
 * A failed run `run-1` beside what it does not own: the published output of an earlier run
 * (`run-0`: parts, `_manifest.json`, `_SUCCESS`), a nested export in `child/` (with the same run
 * id in its part names), and a user's file.
 */
async function stageFailedRun(name: string) {
  const dest = `${name}/2024-06-01/`;
  for (const key of ['part-00000-run-1.csv.gz', 'part-00001-run-1.csv.gz', 'col=2/part-00002-run-1.csv.gz'])
    await put(s3.client, 'rt-exports', `${dest}${key}`, 'partial');
  const previous = {
    version: 1,
    job: name,
    runId: 'run-0',
    parts: [{ url: `s3://rt-exports/${dest}part-00000-run-0.csv.gz` }],
  };
  const notOurs: Record<string, string> = {
    [`${dest}part-00000-run-0.csv.gz`]: 'published by run-0',
    [`${dest}_manifest.json`]: JSON.stringify(previous),
    [`${dest}_SUCCESS`]: '',
    [`${dest}child/part-00000-run-1.csv.gz`]: 'a nested export',
    [`${dest}child/_SUCCESS`]: '',
    [`${dest}README.txt`]: 'not ours',
  };
  for (const [key, body] of Object.entries(notOurs)) await put(s3.client, 'rt-exports', key, body);
  for (const key of ['0000_part_00.gz', '0001_part_00.gz', 'manifest'])
    await put(s3.client, 'rt-staging', `${name}/run-1/${key}`, 'staged');
  await put(s3.client, 'rt-state', `runs/${name}/run-1/parts.json`, '[]');
  return {
    notOurs,
    input: {
      runId: 'run-1',
      jobName: name,
      staging: `s3://rt-staging/${name}/run-1/`,
      destination: `s3://rt-exports/${dest}`,
    },
  };
}

async function objects(prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await keys(s3.client, 'rt-exports', prefix)) {
    out[key] = (await s3.getBytes('rt-exports', key)).toString('utf8');
  }
  return out;
}

describe('cleanupExport (local S3 and Data API)', () => {
  it("removes only this run's parts, the staging prefix and the run state; every other object stays byte for byte", async () => {
    const { input, notOurs } = await stageFailedRun('clean-all');
    deletes.length = 0;
    const report = await cleanupExport(clients(), input, { stateBucket: 'rt-state' });
    expect(report).toEqual({
      cancelledStatement: false,
      removedOutputs: 3,
      removedStaging: 3,
      removedState: 1,
      problems: [],
    });
    expect(deletes[0]?.sort()).toEqual([
      'clean-all/2024-06-01/col=2/part-00002-run-1.csv.gz',
      'clean-all/2024-06-01/part-00000-run-1.csv.gz',
      'clean-all/2024-06-01/part-00001-run-1.csv.gz',
    ]);
    expect(await objects('clean-all/')).toEqual(notOurs);
    expect(await keys(s3.client, 'rt-staging', 'clean-all/')).toEqual([]);
    expect(await keys(s3.client, 'rt-state', 'runs/clean-all/')).toEqual([]);
  });

  it('never deletes a part the published manifest lists, even one named with this run id', async () => {
    const { input } = await stageFailedRun('clean-published');
    const dest = 'clean-published/2024-06-01/';
    const mine = {
      version: 1,
      job: 'clean-published',
      runId: 'run-1',
      parts: [{ url: `s3://rt-exports/${dest}part-00000-run-1.csv.gz` }],
    };
    await put(s3.client, 'rt-exports', `${dest}_manifest.json`, JSON.stringify(mine));
    const report = await cleanupExport(clients(), input, { stateBucket: 'rt-state' });
    expect(report.removedOutputs).toBe(2);
    expect(await keys(s3.client, 'rt-exports', `${dest}part-`)).toEqual([
      `${dest}part-00000-run-0.csv.gz`,
      `${dest}part-00000-run-1.csv.gz`,
    ]);
  });

  it('keeps staging when the job says keepStaging', async () => {
    const { input } = await stageFailedRun('clean-keep');
    const report = await cleanupExport(
      clients(),
      { ...input, keepStaging: true },
      { stateBucket: 'rt-state' },
    );
    expect(report).toMatchObject({ removedOutputs: 3, removedStaging: 0, problems: [] });
    expect(await keys(s3.client, 'rt-staging', 'clean-keep/')).toHaveLength(3);
  });

  it('cancels an UNLOAD that still runs, and leaves a finished one alone', async () => {
    const { Id } = await redshift.client.send(
      new ExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: redshift.database,
        Sql: 'select pg_sleep(60)',
      }),
    );
    const running = await cleanupExport(clients(), { statementId: Id }, {});
    expect(running).toMatchObject({ cancelledStatement: true, problems: [] });
    expect((await waitForStatement(redshift.client, Id ?? '')).Status).toBe('ABORTED');

    const { Id: done } = await redshift.client.send(
      new ExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: redshift.database,
        Sql: 'select 1',
      }),
    );
    await waitForStatement(redshift.client, done ?? '');
    expect(await cleanupExport(clients(), { statementId: done }, {})).toMatchObject({
      cancelledStatement: false,
      problems: [],
    });
  });

  it('never throws: every step is tried and what failed is reported', async () => {
    const unreachable = createRedshiftDataClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
    try {
      const { input } = await stageFailedRun('clean-problems');
      const report = await cleanupExport(
        { s3: s3.client, redshiftData: unreachable },
        {
          ...input,
          statementId: 'f0000000-0000-0000-0000-000000000000',
          destination: 's3://no-such-bucket/x/',
        },
        { stateBucket: 'rt-state' },
      );
      expect(report.problems).toHaveLength(2);
      expect(report.problems[0]).toMatch(/^cancel the statement: /);
      expect(report.problems[1]).toMatch(/^remove partial output: NoSuchBucket: /);
      // The steps after the failed ones still ran.
      expect(report).toMatchObject({ removedStaging: 3, removedState: 1 });
    } finally {
      unreachable.destroy();
    }
  });

  it('handler: reads what it can from the caught state, even a failure before the plan', async () => {
    process.env.RT_ENDPOINT_S3 = s3.endpoint;
    process.env.RT_ENDPOINT_REDSHIFT_DATA = redshift.endpoint;
    process.env.RT_STATE_BUCKET = 'rt-state';
    process.env.RT_LOG_LEVEL = 'SILENT';
    resetRuntime();
    const context = { awsRequestId: 'test' } as Context;
    const empty = {
      cancelledStatement: false,
      removedOutputs: 0,
      removedStaging: 0,
      removedState: 0,
      problems: [],
    };
    // PlanExport rejected the job: the state is the execution input.
    expect(
      await cleanupHandler(
        { state: { job: { name: 'x' }, error: { Error: 'JobValidationError' } } },
        context,
      ),
    ).toEqual(empty);
    expect(await cleanupHandler({ state: 'not an object' }, context)).toEqual(empty);

    const { input } = await stageFailedRun('clean-handler');
    const report = await cleanupHandler(
      {
        state: {
          ...input,
          job: { keepStaging: false },
          statement: { id: 'f0000000-0000-0000-0000-000000000001' },
        },
      },
      context,
    );
    expect(report).toMatchObject({ removedOutputs: 3, removedStaging: 3, removedState: 1 });
    expect(report.problems).toEqual([expect.stringMatching(/^cancel the statement: /)]);
  });
});
