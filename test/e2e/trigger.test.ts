import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { resetRuntime } from '../../functions/_shared/runtime.ts';
import { type LocalSfn, startLocalSfn } from '../../local/sfn/startLocalSfn.ts';
import type { TriggerReport } from '../../src/trigger/triggerLoads.ts';
import { startTestRedshift, type TestRedshift } from '../helpers/testRedshift.ts';
import { startTestS3, type TestS3 } from '../helpers/testS3.ts';

/** S3 event -> trigger -> load executions on the local Step Functions endpoint and local stack. */

let s3: TestS3;
let redshift: TestRedshift;
let sfn: LocalSfn;
let db: pg.Client;
let jobsDir: string;
let trigger: (event: unknown) => Promise<TriggerReport>;

function objectCreated(key: string, etag: string, sequencer: string) {
  return {
    version: '0',
    id: `event-${sequencer}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2024-06-01T08:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:s3:::rt-landing'],
    detail: {
      version: '0',
      bucket: { name: 'rt-landing' },
      object: { key, size: 20, etag, sequencer },
      reason: 'PutObject',
    },
  };
}

beforeAll(async () => {
  s3 = await startTestS3();
  for (const Bucket of ['rt-landing', 'rt-staging', 'rt-state']) {
    await s3.client.send(new CreateBucketCommand({ Bucket }));
  }
  redshift = await startTestRedshift({ s3Endpoint: s3.endpoint, slices: 2 });
  db = new pg.Client(redshift.databaseUrl);
  await db.connect();
  await db.query('create table orders (id int not null, amount numeric(8,2))');
  jobsDir = await mkdtemp(join(tmpdir(), 'rt-trigger-jobs-'));
  await writeFile(
    join(jobsDir, 'orders-load.yml'),
    stringify({
      kind: 'load',
      name: 'orders-load',
      target: { clusterIdentifier: 'local', database: redshift.database, dbUser: 'awsuser' },
      iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
      table: 'public.orders',
      trigger: { bucket: 'rt-landing', prefix: 'orders/', suffix: '.csv' },
      format: { type: 'csv', header: true },
      staging: 's3://rt-staging/loads/',
    }),
  );
  sfn = await startLocalSfn({
    onEnvChange: resetRuntime,
    kinds: ['load'],
    substitutions: { stateBucket: 'rt-state' },
    waitScale: 0,
    env: {
      RT_ENDPOINT_S3: s3.endpoint,
      RT_ENDPOINT_REDSHIFT_DATA: redshift.endpoint,
      RT_STATE_BUCKET: 'rt-state',
      RT_CLUSTER_SLICES: '2',
      RT_JOBS_DIR: jobsDir,
      RT_LOG_LEVEL: 'SILENT',
    },
  });
  const { handler } = await import('../../functions/s3EventTrigger.ts');
  trigger = (event) => handler(event, {} as Context) as Promise<TriggerReport>;
});

afterAll(async () => {
  await sfn?.stop();
  await db?.end();
  await redshift?.stop();
  await s3?.stop();
  if (jobsDir !== undefined) await rm(jobsDir, { recursive: true, force: true });
});

describe('S3-event trigger (local Step Functions endpoint)', () => {
  it('loads an object once however often its event is delivered', async () => {
    const put = await s3.client.send(
      new PutObjectCommand({
        Bucket: 'rt-landing',
        Key: 'orders/2024-06-01.csv',
        Body: 'id,amount\n1,9.99\n2,5\n',
      }),
    );
    const event = objectCreated(
      'orders/2024-06-01.csv',
      (put.ETag ?? '').replace(/"/g, ''),
      '0066A1B2C3D4E5F601',
    );

    const first = await trigger(event);
    expect(first.unmatched).toEqual([]);
    expect(first.outcomes).toHaveLength(1);
    expect(first.outcomes[0]).toMatchObject({
      job: 'orders-load',
      key: 'orders/2024-06-01.csv',
      status: 'started',
    });
    const done = await sfn.whenDone(first.outcomes[0]?.executionArn ?? '');
    expect(done.error, done.cause).toBeUndefined();
    expect(done.status).toBe('SUCCEEDED');

    // EventBridge delivers at least once: the same event again starts nothing new.
    const second = await trigger(event);
    expect(second.outcomes).toEqual([{ ...first.outcomes[0], status: 'duplicate', executionArn: undefined }]);
    expect(sfn.executions.size).toBe(1);

    const rows = await db.query({
      text: 'select id, amount::text from orders order by id',
      rowMode: 'array',
    });
    expect(rows.rows).toEqual([
      [1, '9.99'],
      [2, '5.00'],
    ]);
  });

  it('ignores objects no job matches', async () => {
    const report = await trigger(objectCreated('elsewhere/x.csv', 'e', '01'));
    expect(report).toEqual({ outcomes: [], unmatched: [{ bucket: 'rt-landing', key: 'elsewhere/x.csv' }] });
  });
});
