import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonObject, loadDefinitionFile } from '../../local/sfn/loadDefinition.ts';
import { LocalRunner, type PreparedStateMachine } from '../../local/sfn/localRunner.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { startTestRedshift, type TestRedshift } from '../helpers/testRedshift.ts';
import { startTestS3, type TestS3 } from '../helpers/testS3.ts';

/** Redshift -> Redshift through the transfer state machine: one database to another. */

let s3: TestS3;
let redshift: TestRedshift;
let destination: TestDatabase;
let runner: LocalRunner;
let sm: PreparedStateMachine;
let source: pg.Client;
let dest: pg.Client;

function job(name: string, overrides: Record<string, unknown> = {}) {
  return {
    kind: 'transfer',
    name,
    source: {
      target: { clusterIdentifier: 'local', database: redshift.database, dbUser: 'awsuser' },
      iamRole: 'arn:aws:iam::123456789012:role/SourceUnload',
      query: 'select id, name, amount, updated_at from orders where id <= 1000',
    },
    destination: {
      target: { clusterIdentifier: 'local', database: destination.name, dbUser: 'awsuser' },
      iamRole: 'arn:aws:iam::123456789012:role/DestinationCopy',
      table: 'analytics.orders',
      mode: 'upsert',
      keys: ['id'],
      orderBy: 'updated_at',
    },
    staging: 's3://rt-staging/transfers/',
    ...overrides,
  };
}

beforeAll(async () => {
  s3 = await startTestS3();
  for (const Bucket of ['rt-staging', 'rt-state']) await s3.client.send(new CreateBucketCommand({ Bucket }));
  redshift = await startTestRedshift({ s3Endpoint: s3.endpoint, slices: 2 });
  destination = await createTestDatabase('dst');
  source = new pg.Client(redshift.databaseUrl);
  await source.connect();
  await source.query(
    'create table orders (id int, name varchar(30), amount numeric(10,2), updated_at timestamp)',
  );
  await source.query(
    `insert into orders select i, case when i % 10 = 0 then null when i % 10 = 1 then '' else 'order, "' || i || '"' end,
       i * 1.25, timestamp '2024-01-01' + i * interval '1 minute' from generate_series(1, 1200) i`,
  );
  dest = new pg.Client(destination.url);
  await dest.connect();
  await dest.query('create schema analytics');
  await dest.query(
    `create table analytics.orders (id int not null, name varchar(30), amount numeric(10,2), updated_at timestamp,
       loaded_by varchar(20) not null default 'transfer')`,
  );
  await dest.query(
    `insert into analytics.orders values (5, 'stale', 0, '2000-01-01', 'seed'), (5000, 'kept', 1, '2000-01-01', 'seed')`,
  );
  runner = new LocalRunner({
    waitScale: 0,
    env: {
      RT_ENDPOINT_S3: s3.endpoint,
      RT_ENDPOINT_REDSHIFT_DATA: redshift.endpoint,
      RT_STATE_BUCKET: 'rt-state',
      RT_CLUSTER_SLICES: '2',
      RT_LOG_LEVEL: 'SILENT',
    },
  });
  const definition = await loadDefinitionFile('statemachines/transfer.asl.yml', {
    region: 'us-east-1',
    stateBucket: 'rt-state',
  });
  sm = runner.prepare(definition, { name: 'redshift-transfer-transfer' });
});

afterAll(async () => {
  await source?.end();
  await dest?.end();
  await destination?.drop();
  await redshift?.stop();
  await s3?.stop();
});

describe('transfer state machine (local stack)', () => {
  it('moves a query result into another database by upsert, row for row, and cleans staging', async () => {
    const result = await runner.start(sm, { job: job('orders-copy') } as JsonObject, {}).done;
    expect(result.error, result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as { result: unknown }).result).toMatchObject({
      table: 'analytics.orders',
      mode: 'upsert',
      records: 1000,
      merged: 1000,
      deleted: 1,
      rowsBefore: 2,
      rowsAfter: 1001,
    });
    const want = await source.query({
      text: `select id, name, amount::text, updated_at::text from orders where id <= 1000 order by id`,
      rowMode: 'array',
    });
    const got = await dest.query({
      text: `select id, name, amount::text, updated_at::text from analytics.orders where id <= 1000 order by id`,
      rowMode: 'array',
    });
    expect(got.rows).toEqual(want.rows);
    const extra = await dest.query({
      text: 'select id, loaded_by from analytics.orders where id in (5, 5000) order by id',
      rowMode: 'array',
    });
    expect(extra.rows).toEqual([
      [5, 'transfer'],
      [5000, 'seed'],
    ]);
    const left = await s3.client.send(
      new ListObjectsV2Command({ Bucket: 'rt-staging', Prefix: 'transfers/' }),
    );
    expect(left.Contents ?? []).toEqual([]);
  });

  it('succeeds with nothing to do when the source query returns no row', async () => {
    const result = await runner.start(
      sm,
      {
        job: job('empty-copy', {
          source: {
            ...job('x').source,
            query: 'select id, name, amount, updated_at from orders where id < 0',
          },
        }),
      } as JsonObject,
      {},
    ).done;
    expect(result.error, result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
  });
});
