import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../../local/sfn/loadDefinition.ts';
import { LocalRunner, type PreparedStateMachine } from '../../local/sfn/localRunner.ts';
import { startTestRedshift, type TestRedshift } from '../helpers/testRedshift.ts';
import { startTestS3, type TestS3 } from '../helpers/testS3.ts';

/** The export state machine on the local stack: real S3, the Data API emulator over PostgreSQL. */

const ROWS = 2000;
let s3: TestS3;
let redshift: TestRedshift;
let runner: LocalRunner;
let sm: PreparedStateMachine;

async function keys(bucket: string, prefix = ''): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function bytes(bucket: string, key: string): Promise<Buffer> {
  const out = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
}

function job(name: string, overrides: Record<string, unknown> = {}) {
  return {
    kind: 'export',
    name,
    target: { clusterIdentifier: 'local', database: redshift.database, dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
    query: 'select salesid, eventname, pricepaid from sales order by salesid',
    unload: { format: 'csv', compression: 'gzip', header: true },
    staging: `s3://rt-staging/${name}/{runId}/`,
    destination: `s3://rt-exports/${name}/{runDate}/`,
    ...overrides,
  };
}

beforeAll(async () => {
  s3 = await startTestS3();
  for (const Bucket of ['rt-staging', 'rt-exports', 'rt-state'])
    await s3.client.send(new CreateBucketCommand({ Bucket }));
  redshift = await startTestRedshift({ s3Endpoint: s3.endpoint, slices: 4 });
  const db = new pg.Client(redshift.databaseUrl);
  await db.connect();
  await db.query(
    'create table sales (salesid int primary key, eventname varchar(200), pricepaid numeric(8,2))',
  );
  await db.query(
    `insert into sales select i, case when i % 7 = 0 then 'Say "hi", all' else 'event ' || i end, (i % 500) + 0.25 from generate_series(1, ${ROWS}) i`,
  );
  await db.end();
  runner = new LocalRunner({
    waitScale: 0,
    env: {
      RT_ENDPOINT_S3: s3.endpoint,
      RT_ENDPOINT_REDSHIFT_DATA: redshift.endpoint,
      RT_STATE_BUCKET: 'rt-state',
      RT_LOG_LEVEL: 'SILENT',
    },
  });
  const definition = await loadDefinitionFile('statemachines/export.asl.yml', {
    region: 'us-east-1',
    stateBucket: 'rt-state',
  });
  sm = runner.prepare(definition, { name: 'redshift-transfer-export' });
});

afterAll(async () => {
  await redshift?.stop();
  await s3?.stop();
});

describe('export state machine (local stack)', () => {
  it('exports gzip CSV with a header, verified, with _manifest.json and _SUCCESS; staging emptied', async () => {
    const result = await runner.start(sm, { job: job('csv-gzip'), runDate: '2024-03-01' }).done;
    expect(result.error, result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    const out = result.output as { result: { rows: number; parts: number; manifestUri: string } };
    expect(out.result).toMatchObject({
      rows: ROWS,
      manifestUri: 's3://rt-exports/csv-gzip/2024-03-01/_manifest.json',
    });

    const written = await keys('rt-exports', 'csv-gzip/2024-03-01/');
    expect(written).toContain('csv-gzip/2024-03-01/_SUCCESS');
    const parts = written.filter((k) => /part-\d{5}\.csv\.gz$/.test(k));
    expect(parts.length).toBe(out.result.parts);
    let dataLines = 0;
    for (const key of parts) {
      const lines = gunzipSync(await bytes('rt-exports', key))
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      expect(lines[0]).toBe('salesid,eventname,pricepaid');
      dataLines += lines.length - 1;
    }
    expect(dataLines).toBe(ROWS);
    const manifest = JSON.parse(
      (await bytes('rt-exports', 'csv-gzip/2024-03-01/_manifest.json')).toString('utf8'),
    );
    expect(manifest).toMatchObject({
      version: 1,
      job: 'csv-gzip',
      rows: ROWS,
      format: 'csv',
      compression: 'gzip',
    });
    expect(manifest.parts.map((p: { url: string }) => p.url)).toEqual(
      parts.map((k) => `s3://rt-exports/${k}`),
    );
    expect(await keys('rt-staging', 'csv-gzip/')).toEqual([]);
  });

  it("fails a bad query with StatementFailedError carrying Redshift's message, leaving nothing behind", async () => {
    const result = await runner.start(sm, { job: job('bad-sql', { query: 'select * from no_such_table' }) })
      .done;
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StatementFailedError');
    expect(result.cause).toMatch(/no_such_table/);
    expect(await keys('rt-exports', 'bad-sql/')).toEqual([]);
    expect(await keys('rt-staging', 'bad-sql/')).toEqual([]);
  });

  it('rejects an invalid job with JobValidationError listing the problems', async () => {
    const result = await runner.start(sm, { job: job('bad-job', { unload: { maxFileSize: '2 KB' } }) }).done;
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('JobValidationError');
    expect(result.cause).toMatch(/unload\.maxFileSize: expected a size like "256 MB"/);
  });

  it('processes parts through the Distributed Map when there are more than inlineMaxParts', async () => {
    const result = await runner.start(sm, {
      job: job('distributed', {
        process: { inlineMaxParts: 1 },
        unload: { format: 'csv', compression: 'zstd' },
      }),
      runDate: '2024-03-02',
    }).done;
    expect(result.error, result.cause).toBeUndefined();
    const out = result.output as { result: { rows: number; parts: number } };
    expect(out.result.rows).toBe(ROWS);
    expect(out.result.parts).toBeGreaterThan(1);
    const written = await keys('rt-exports', 'distributed/2024-03-02/');
    expect(written.filter((k) => k.endsWith('.csv.zst'))).toHaveLength(out.result.parts);
    expect(await keys('rt-state', 'runs/distributed/')).toEqual([]);
  });

  it('exports Parquet, partitioned, with PARALLEL OFF', async () => {
    const result = await runner.start(sm, {
      job: job('parquet', {
        query: 'select salesid, pricepaid, salesid % 3 as bucket from sales',
        unload: { format: 'parquet', partitionBy: ['bucket'], parallel: false },
      }),
      runDate: '2024-03-03',
    }).done;
    expect(result.error, result.cause).toBeUndefined();
    const written = await keys('rt-exports', 'parquet/2024-03-03/');
    expect(written.filter((k) => /bucket=\d\/part-\d{5}\.parquet$/.test(k)).length).toBe(3);
    expect((result.output as { result: { rows: number } }).result.rows).toBe(ROWS);
  });
});
