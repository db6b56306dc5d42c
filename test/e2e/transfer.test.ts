import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../local/sfn/loadDefinition.ts';
import type { LocalRunner, PreparedStateMachine } from '../../local/sfn/localRunner.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import type { TestRedshift } from '../helpers/testRedshift.ts';
import type { TestS3 } from '../helpers/testS3.ts';
import { startTestStateMachine, type TestStateMachine } from '../helpers/testStateMachine.ts';

/** Redshift -> Redshift through the transfer state machine: one database to another. */

let s3: TestS3;
let redshift: TestRedshift;
let destination: TestDatabase;
let runner: LocalRunner;
let sm: PreparedStateMachine;
let source: pg.Client;
let dest: pg.Client;
let stack: TestStateMachine | undefined;

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
  stack = await startTestStateMachine({ kind: 'transfer', buckets: ['rt-staging', 'rt-state'], slices: 2 });
  ({ s3, redshift, db: source, runner, sm } = stack);
  destination = await createTestDatabase('dst');
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
});

afterAll(async () => {
  await dest?.end();
  await destination?.drop();
  await stack?.stop();
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

  it("fails with the load's named error when the load half fails, and leaves no staging", async () => {
    const result = await runner.start(
      sm,
      {
        job: job('missing-table-copy', {
          destination: { ...job('x').destination, table: 'analytics.no_such_table' },
        }),
      } as JsonObject,
      {},
    ).done;
    expect(result.status).toBe('FAILED');
    // The child load's own error, not the integration's States.TaskFailed.
    expect(result.error).toBe('SchemaMismatchError');
    expect(result.cause).toContain('"analytics"."no_such_table" was not found');
    const left = await s3.client.send(
      new ListObjectsV2Command({ Bucket: 'rt-staging', Prefix: 'transfers/missing-table-copy/' }),
    );
    expect(left.Contents ?? []).toEqual([]);
  });

  it('preserves every value exactly: \\N, empty strings, NULLs, delimiters, quotes, backslashes, newlines', async () => {
    const values = [
      '\\N',
      '',
      null,
      'a,b|c\td',
      'say "hi"',
      "it's",
      'back\\slash \\\\ two',
      'line1\nline2\r\nline3',
      'NULL',
      'null',
      '  padded  ',
      'üñí €',
      '\\',
      '"',
    ];
    await source.query('create table tricky (id int, v varchar(100))');
    for (const [i, v] of values.entries()) {
      await source.query('insert into tricky values ($1, $2)', [i + 1, v]);
    }
    await dest.query('create table analytics.tricky (id int, v varchar(100))');
    const result = await runner.start(
      sm,
      {
        job: job('tricky-copy', {
          source: { ...job('x').source, query: 'select id, v from tricky' },
          destination: {
            ...job('x').destination,
            table: 'analytics.tricky',
            mode: 'append',
            keys: undefined,
            orderBy: undefined,
          },
        }),
      } as JsonObject,
      {},
    ).done;
    expect(result.error, result.cause).toBeUndefined();
    const got = await dest.query({
      text: 'select id, v from analytics.tricky order by id',
      rowMode: 'array',
    });
    expect(got.rows).toEqual(values.map((v, i) => [i + 1, v]));
  });
});
