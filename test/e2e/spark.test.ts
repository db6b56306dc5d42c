import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DescribeStepCommand, type EMRClient, ListStepsCommand } from '@aws-sdk/client-emr';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '../../functions/_shared/runtime.ts';
import { type LocalEmr, startLocalEmr } from '../../local/emr/startLocalEmr.ts';
import { loadDefinitionFile } from '../../local/sfn/loadDefinition.ts';
import { LocalRunner, type PreparedStateMachine } from '../../local/sfn/localRunner.ts';
import { createEmrClient } from '../../src/aws/clients.ts';
import { localSparkFor } from '../helpers/localSpark.ts';
import { startTestRedshift, type TestRedshift } from '../helpers/testRedshift.ts';
import { startTestS3, type TestS3 } from '../helpers/testS3.ts';

/**
 * The export state machine with a Spark step, on the local stack with a local EMR that runs real
 * Spark (PySpark from spark/.venv): redshift.py reads the export's parts from _manifest.json over
 * s3:// (hadoop-aws against the local S3) and writes an aggregate as Parquet.
 */

const spark = localSparkFor('test/e2e/spark.test.ts');

const ROWS = 500;
let s3: TestS3;
let redshift: TestRedshift;
let emr: LocalEmr;
let emrClient: EMRClient;
let runner: LocalRunner;
let sm: PreparedStateMachine;

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function readParquet(bucket: string, key: string) {
  const parquet = await s3.getBytes(bucket, key);
  return parquetReadObjects({
    file: parquet.buffer.slice(parquet.byteOffset, parquet.byteOffset + parquet.byteLength) as ArrayBuffer,
  });
}

function job(name: string, sparkBlock: Record<string, unknown>) {
  return {
    kind: 'export',
    name,
    target: { clusterIdentifier: 'local', database: redshift.database, dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
    query: 'select salesid, eventname, pricepaid from sales',
    unload: { format: 'csv', compression: 'gzip', header: true },
    staging: `s3://rt-staging/${name}/{runId}/`,
    destination: `s3://rt-exports/${name}/{runDate}/`,
    spark: { clusterId: 'j-LOCAL', script: 's3://rt-scripts/redshift.py', ...sparkBlock },
  };
}

describe.skipIf(!spark.ok)('export with a Spark step (local EMR, real Spark)', () => {
  beforeAll(async () => {
    s3 = await startTestS3();
    for (const Bucket of ['rt-staging', 'rt-exports', 'rt-state', 'rt-scripts', 'rt-out']) {
      await s3.client.send(new CreateBucketCommand({ Bucket }));
    }
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'rt-scripts',
        Key: 'redshift.py',
        Body: await readFile('spark/redshift.py'),
      }),
    );
    redshift = await startTestRedshift({ s3Endpoint: s3.endpoint, slices: 2 });
    const db = new pg.Client(redshift.databaseUrl);
    await db.connect();
    await db.query(
      'create table sales (salesid int primary key, eventname varchar(200), pricepaid numeric(8,2))',
    );
    await db.query(
      `insert into sales select i, 'event ' || (i % 4), (i % 50) + 0.25 from generate_series(1, ${ROWS}) i`,
    );
    await db.end();
    emr = await startLocalEmr({ s3Endpoint: s3.endpoint, logBucket: 'rt-emr-logs' });
    emrClient = createEmrClient({ region: 'us-east-1', endpoint: emr.endpoint });
    runner = new LocalRunner({
      onEnvChange: resetRuntime,
      // Spark polls wait 10 s, 20 s... on AWS; here a tenth of that keeps the loop short but real.
      waitScale: 0.1,
      retryScale: 0,
      env: {
        RT_ENDPOINT_S3: s3.endpoint,
        RT_ENDPOINT_REDSHIFT_DATA: redshift.endpoint,
        RT_ENDPOINT_EMR: emr.endpoint,
        RT_STATE_BUCKET: 'rt-state',
        RT_LOG_LEVEL: 'SILENT',
      },
    });
    const definition = await loadDefinitionFile('statemachines/export.asl.yml', {
      region: 'us-east-1',
      stateBucket: 'rt-state',
    });
    sm = runner.prepare(definition, { name: 'redshift-transfer-export' });
  }, 120_000);

  afterAll(async () => {
    emrClient?.destroy();
    await emr?.stop();
    await redshift?.stop();
    await s3?.stop();
  });

  it('runs redshift.py on the exported parts and writes the aggregate the database computes', async () => {
    // Act
    const result = await runner.start(sm, {
      job: job('agg', {
        args: [
          '--sql',
          'SELECT eventname, CAST(count(*) AS INT) AS n, CAST(sum(pricepaid) AS STRING) AS total FROM input GROUP BY eventname',
          '--output',
          's3://rt-out/agg/by_event/',
          '--coalesce',
          '1',
        ],
      }),
      runDate: '2026-11-24',
    }).done;

    // Assess: the execution, the step, the Parquet it wrote and the step's logs
    expect(result.error, result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    const out = result.output as { spark: { stepId: string; state: string; done: boolean; attempt: number } };
    expect(out.spark).toMatchObject({ clusterId: 'j-LOCAL', state: 'COMPLETED', done: true });
    expect(out.spark.attempt).toBeGreaterThanOrEqual(1);

    const { Step } = await emrClient.send(
      new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: out.spark.stepId }),
    );
    expect(Step?.Name).toMatch(/^redshift-transfer-.+-spark$/);
    expect(Step?.Config?.Args?.slice(0, 8)).toEqual([
      'spark-submit',
      '--deploy-mode',
      'cluster',
      '--driver-class-path',
      '/usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar',
      '--jars',
      '/usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar',
      's3://rt-scripts/redshift.py',
    ]);
    expect(Step?.Config?.Args?.slice(-4)).toEqual([
      '--manifest',
      's3://rt-exports/agg/2026-11-24/_manifest.json',
      '--csv-header',
      'true',
    ]);

    const files = (await keys('rt-out', 'agg/by_event/')).filter((k) => k.endsWith('.parquet'));
    expect(files).toHaveLength(1);
    const rows = await readParquet('rt-out', files[0] as string);
    const db = new pg.Client(redshift.databaseUrl);
    await db.connect();
    const expected = await db.query<{ eventname: string; n: number; total: string }>(
      'select eventname, count(*)::int as n, sum(pricepaid)::text as total from sales group by eventname order by eventname',
    );
    await db.end();
    const actual = rows
      .map((r) => ({ eventname: r.eventname, n: Number(r.n), total: r.total }))
      .sort((a, b) => String(a.eventname).localeCompare(String(b.eventname)));
    expect(actual).toEqual(expected.rows);
    expect(actual.reduce((sum, r) => sum + r.n, 0)).toBe(ROWS);

    const stdout = gunzipSync(
      await s3.getBytes('rt-emr-logs', `emr-logs/j-LOCAL/steps/${out.spark.stepId}/stdout.gz`),
    ).toString('utf8');
    expect(stdout).toContain(
      '{"source": "manifest", "rows": 4, "output": "s3://rt-out/agg/by_event/", "targetTable": null}',
    );
  }, 240_000);

  it('fails the run with SparkStepFailedError naming the bad argument and the stderr log', async () => {
    const result = await runner.start(sm, {
      job: job('badarg', { args: ['--source', 'odbc', '--output', 's3://rt-out/x/'] }),
    }).done;

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SparkStepFailedError');
    expect(result.cause).toMatch(
      /reason: redshift\.py: error: argument --source: invalid choice: 'odbc' \(choose from 'manifest', 'connector', 'jdbc'\).*log file: s3:\/\/rt-emr-logs\/emr-logs\/j-LOCAL\/steps\/s-[0-9A-F]{13}\/stdout\.gz/,
    );
    // spark-submit's PythonRunner merges the script's stderr into stdout: the log file named is that one
    const logFile = /log file: s3:\/\/rt-emr-logs\/(\S+stdout\.gz)/.exec(result.cause ?? '')?.[1] as string;
    const log = gunzipSync(await s3.getBytes('rt-emr-logs', logFile)).toString('utf8');
    expect(log).toContain("redshift.py: error: argument --source: invalid choice: 'odbc'");
  }, 240_000);

  it('cancels a step that outlives its deadline and fails the run with DeadlineExceededError', async () => {
    const result = await runner.start(sm, {
      job: job('slow', { timeout: 1, args: ['--output', 's3://rt-out/slow/'] }),
    }).done;

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DeadlineExceededError');
    expect(result.cause).toMatch(
      /^Spark step (s-[0-9A-F]{13}) on EMR cluster j-LOCAL was still (PENDING|RUNNING) at its deadline .* it has been cancelled\./,
    );
    const stepId = /Spark step (s-[0-9A-F]{13})/.exec(result.cause ?? '')?.[1] as string;
    const finished = await emr.waitForStep(stepId);
    expect(finished.state).toBe('CANCELLED');
    const listed = await emrClient.send(new ListStepsCommand({ ClusterId: 'j-LOCAL', StepIds: [stepId] }));
    expect(listed.Steps?.[0]?.Status?.State).toBe('CANCELLED');
  }, 240_000);
});
