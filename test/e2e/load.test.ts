import { gzipSync } from 'node:zlib';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../local/sfn/loadDefinition.ts';
import type { LocalRunner, PreparedStateMachine } from '../../local/sfn/localRunner.ts';
import type { TestRedshift } from '../helpers/testRedshift.ts';
import type { TestS3 } from '../helpers/testS3.ts';
import { startTestStateMachine, type TestStateMachine } from '../helpers/testStateMachine.ts';

/** The load state machine on the local stack: real S3, the Data API emulator over PostgreSQL. */

let s3: TestS3;
let redshift: TestRedshift;
let runner: LocalRunner;
let sm: PreparedStateMachine;
let db: pg.Client;
let stack: TestStateMachine | undefined;

async function put(key: string, body: string | Buffer) {
  await s3.client.send(new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: body }));
}

async function keys(bucket: string, prefix = ''): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function rows(table: string): Promise<unknown[][]> {
  const r = await db.query({ text: `select * from ${table} order by 1, 2`, rowMode: 'array' });
  return r.rows;
}

function job(name: string, table: string, overrides: Record<string, unknown> = {}) {
  return {
    kind: 'load',
    name,
    target: { clusterIdentifier: 'local', database: redshift.database, dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
    table,
    source: { prefix: `s3://rt-landing/${name}/` },
    staging: 's3://rt-staging/loads/',
    format: { type: 'csv', header: true },
    ...overrides,
  };
}

async function run(input: Record<string, unknown>, name?: string) {
  return runner.start(sm, input as JsonObject, name === undefined ? {} : { name }).done;
}

beforeAll(async () => {
  stack = await startTestStateMachine({
    kind: 'load',
    buckets: ['rt-landing', 'rt-staging', 'rt-state'],
    slices: 4,
    // Runs of more than 4 objects prepare their parts in a Distributed Map.
    env: { RT_LOAD_INLINE_MAX_PARTS: '4' },
  });
  ({ s3, redshift, db, runner, sm } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

describe('load state machine (local stack)', () => {
  it('upserts a gzip CSV: other column order, duplicates in the batch, NULL vs "", NOT NULL DEFAULT', async () => {
    await db.query(
      `create table customers (id int not null, name varchar(20), city varchar(20), updated_at timestamp,
        source varchar(10) not null default 'landing')`,
    );
    await db.query(
      `insert into customers values (1, 'Ann', 'Oslo', '2024-01-01', 'seed'), (2, 'Bob', 'Rome', '2024-01-01', 'seed')`,
    );
    await put(
      'upsert/2024-05-01.csv.gz',
      gzipSync(
        'updated_at,city,id,name\n' +
          '2024-05-01 10:00:00,Paris,2,Bobby\n' +
          '2024-05-02 10:00:00,Lyon,2,Robert\n' +
          '2024-05-01 10:00:00,"",3,\\N\n' +
          '2024-05-01 10:00:00,\\N,4,"Dee, ""D"""\n',
      ),
    );
    const result = await run({
      job: job('upsert', 'public.customers', { mode: 'upsert', keys: ['id'], orderBy: 'updated_at' }),
      runDate: '2024-05-01',
    });
    expect(result.error, result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as { result: unknown }).result).toMatchObject({
      table: 'public.customers',
      mode: 'upsert',
      objects: 1,
      records: 4,
      merged: 3,
      deleted: 1,
      rowsBefore: 2,
      rowsAfter: 4,
      alreadyLoaded: false,
    });
    const got = await db.query({
      text: `select id, name, city, to_char(updated_at, 'YYYY-MM-DD HH24:MI'), source from customers order by id`,
      rowMode: 'array',
    });
    expect(got.rows).toEqual([
      [1, 'Ann', 'Oslo', '2024-01-01 00:00', 'seed'],
      [2, 'Robert', 'Lyon', '2024-05-02 10:00', 'landing'],
      [3, null, '', '2024-05-01 10:00', 'landing'],
      [4, 'Dee, "D"', null, '2024-05-01 10:00', 'landing'],
    ]);
    expect(await keys('rt-staging', 'loads/upsert/')).toEqual([]);

    // The same objects again (a rerun, or the same event twice): the ledger skips them.
    const again = await run({ job: job('upsert', 'public.customers', { mode: 'upsert', keys: ['id'] }) });
    expect(again.status).toBe('SUCCEEDED');
    expect((again.output as { result: unknown }).result).toMatchObject({ nothingToDo: true });
    expect((await rows('customers')).length).toBe(4);
  });

  it('appends, then replaces the whole table in one transaction', async () => {
    await db.query('create table events (id int, kind varchar(10))');
    await db.query(`insert into events values (100, 'old')`);
    await put('append/a.csv', 'id,kind\n1,a\n2,b\n');
    await put('append/b.csv', 'kind,id\nc,3\n');
    const appended = await run({ job: job('append', 'events') });
    expect(appended.error, appended.cause).toBeUndefined();
    expect(await rows('events')).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [100, 'old'],
    ]);
    await put('replace/full.csv', 'id,kind\n7,x\n8,y\n');
    const replaced = await run({ job: job('replace', 'events', { mode: 'replace' }) });
    expect(replaced.error, replaced.cause).toBeUndefined();
    expect((replaced.output as { result: unknown }).result).toMatchObject({
      deleted: 4,
      merged: 2,
      rowsAfter: 2,
    });
    expect(await rows('events')).toEqual([
      [7, 'x'],
      [8, 'y'],
    ]);
  });

  it('fails a bad value with BadRecordError naming file, line and column; nothing is loaded', async () => {
    await db.query('create table amounts (id int, amount numeric(8,2))');
    await put('bad/ok.csv', 'id,amount\n1,1.5\n');
    await put('bad/wrong.csv', 'id,amount\n1,2.5\n2,twelve\n');
    const result = await run({ job: job('bad', 'amounts') });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('BadRecordError');
    expect(result.cause).toContain(
      's3://rt-landing/bad/wrong.csv line 3, column "amount": "twelve" is not a number',
    );
    await put('short/x.csv', 'id,amount\n1,2.5\n2\n');
    const short = await run({ job: job('short', 'amounts') });
    expect(short.error).toBe('BadRecordError');
    expect(short.cause).toContain('s3://rt-landing/short/x.csv line 3: 1 field(s), expected 2 (id, amount)');
    // Staging may keep the summary of a part still running when the Map failed (harmless: the
    // next run of the same id overwrites it); the table is what matters.
    expect(await rows('amounts')).toEqual([]);
  });

  it('returns COPY rejections as LoadError naming the source line, column and reason; nothing loaded', async () => {
    await db.query('create table visits (id int, day date)');
    // The header and the blank line are not in the chunk: COPY sees the bad row on chunk line 3.
    await put('visits/a.csv', 'id,day\n1,05/31/2024\n\n2,06/01/2024\n3,13/45/2024\n');
    const result = await run({
      job: job('visits', 'visits', { copyOptions: { dateFormat: 'MM/DD/YYYY', ignoreBlankLines: true } }),
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('LoadError');
    expect(result.cause).toMatch(
      /^COPY into public\.visits failed and nothing was loaded: s3:\/\/rt-landing\/visits\/a\.csv line 5, column "day": .+ \(COPY read it from s3:\/\/rt-staging\/loads\/visits\/[^/]+\/chunks\/p00000-c000\.csv\.gz line 3\)\. Fix the source and load it again\.$/,
    );
    expect(await rows('visits')).toEqual([]);
  });

  it('loads Parquet by position after checking its column names and row count from the footer', async () => {
    await db.query('create table metrics (id int, label varchar(20), score double precision)');
    const parquet = Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'id', data: Int32Array.from([1, 2, 3]), type: 'INT32' },
          { name: 'label', data: ['a', null, 'c'], type: 'STRING' },
          { name: 'score', data: Float64Array.from([0.5, 1.5, 2.5]), type: 'DOUBLE' },
        ],
      }),
    );
    await put('metrics/part-0.parquet', parquet);
    const result = await run({ job: job('metrics', 'metrics', { format: { type: 'parquet' } }) });
    expect(result.error, result.cause).toBeUndefined();
    expect((result.output as { result: unknown }).result).toMatchObject({ records: 3, merged: 3 });
    expect(await rows('metrics')).toEqual([
      [1, 'a', 0.5],
      [2, null, 1.5],
      [3, 'c', 2.5],
    ]);
    await put('metrics-bad/part-0.parquet', parquet);
    const bad = await run({
      job: job('metrics-bad', 'metrics', { format: { type: 'parquet' }, columns: ['id', 'score', 'label'] }),
    });
    expect(bad.error).toBe('SchemaMismatchError');
    expect(bad.cause).toContain(
      's3://rt-landing/metrics-bad/part-0.parquet has columns (id, label, score) but the load expects (id, score, label)',
    );
  });

  it('loads JSON lines by field name; an absent field is NULL, an absent NOT NULL field a bad record', async () => {
    await db.query('create table venues (venueid int not null, venuename varchar(40), seats int)');
    await put(
      'venues/v.json.gz',
      gzipSync('{"venueid":1,"venuename":"Hall \\"A\\"","seats":100}\n{"venueid":2,"venuename":""}\n\n'),
    );
    const result = await run({ job: job('venues', 'venues', { format: { type: 'json' }, mode: 'replace' }) });
    expect(result.error, result.cause).toBeUndefined();
    expect(await rows('venues')).toEqual([
      [1, 'Hall "A"', 100],
      [2, '', null],
    ]);
    await put('venues-bad/v.json', '{"venueid":3}\n{"venuename":"x"}\n');
    const bad = await run({ job: job('venues-bad', 'venues', { format: { type: 'json' } }) });
    expect(bad.error).toBe('BadRecordError');
    expect(bad.cause).toContain(
      's3://rt-landing/venues-bad/v.json line 2, column "venueid": missing NOT NULL column',
    );
  });
  it('rolls back a merge whose row counts disagree, with RowCountMismatchError', async () => {
    await db.query('create table audited (id int, v varchar(5))');
    // Something else writing to the table inside the transaction (here: a trigger adding a row)
    // makes rows after != rows before + rows merged.
    await db.query(`create function audited_extra() returns trigger language plpgsql as $$
      begin
        if new.id = 1 then insert into audited values (1000, 'extra'); end if;
        return new;
      end $$`);
    await db.query(
      'create trigger audited_extra after insert on audited for each row execute function audited_extra()',
    );
    await put('audited/a.csv', 'id,v\n1,a\n2,b\n');
    const result = await run({ job: job('audited', 'audited') });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RowCountMismatchError');
    expect(result.cause).toBe(
      'Load into public.audited rolled back: row counts disagree (merged: the target holds 3 rows, expected 2). Nothing was loaded. Something else changed the table inside the transaction (a trigger or rule?); fix that and run again.',
    );
    expect(await rows('audited')).toEqual([]);
  });

  it('prepares large runs in a Distributed Map fed from the state bucket, then cleans the run state', async () => {
    await db.query('create table clicks (id int, page varchar(10))');
    for (let i = 0; i < 5; i++) await put(`clicks/${i}.csv`, `id,page\n${i},p${i}\n${i + 10},q${i}\n`);
    const result = await run({ job: job('clicks', 'clicks') });
    expect(result.error, result.cause).toBeUndefined();
    const mapStarted = result.history.find((e) => e.type === 'MapRunStarted');
    expect(mapStarted).toBeDefined();
    expect((result.output as { result: unknown }).result).toMatchObject({
      objects: 5,
      records: 10,
      merged: 10,
    });
    expect((await rows('clicks')).length).toBe(10);
    expect(await keys('rt-state', 'load-runs/clicks/')).toEqual([]);
  });

  it('a run failing between COPY and merge loads nothing; its retry loads exactly once', async () => {
    await db.query('create table fragile (id int, v varchar(5))');
    await db.query('create table fail_once (armed boolean)');
    await db.query('insert into fail_once values (true)');
    await db.query(`create function fail_first_insert() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from fail_once where armed) then
          update fail_once set armed = false;
          raise exception 'simulated crash between COPY and merge';
        end if;
        return new;
      end $$`);
    await db.query(
      'create trigger fragile_fail before insert on fragile for each statement execute function fail_first_insert()',
    );
    await put('fragile/a.csv', 'id,v\n1,a\n2,b\n');
    const failed = await run({ job: job('fragile', 'fragile'), runId: 'fragile-1' });
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('StatementFailedError');
    expect(failed.cause).toContain('step "insert"');
    expect(await rows('fragile')).toEqual([]);
    // The trigger's disarming rolled back with the batch: disarm it for the retry.
    await db.query('update fail_once set armed = false');
    const retried = await run({ job: job('fragile', 'fragile'), runId: 'fragile-1' });
    expect(retried.error, retried.cause).toBeUndefined();
    const again = await run({ job: job('fragile', 'fragile'), runId: 'fragile-1' });
    expect(again.status).toBe('SUCCEEDED');
    expect(await rows('fragile')).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    const ledger = await db.query('select count(*)::int as n from rt_load_ledger where target_table = $1', [
      '"public"."fragile"',
    ]);
    expect(ledger.rows[0].n).toBe(1);
  });

  it('two loads into one table at once both succeed, one after the other', async () => {
    await db.query('create table busy (id int, src varchar(5))');
    await put('busy-a/a.csv', 'id,src\n1,a\n2,a\n');
    await put('busy-b/b.csv', 'id,src\n3,b\n4,b\n');
    // A ledger of their own, created by both at once: the first loads after a deployment race too.
    const ledger = { table: 'busy_ledger' };
    const [a, b] = await Promise.all([
      run({ job: job('busy-a', 'busy', { ledger }) }),
      run({ job: job('busy-b', 'busy', { ledger }) }),
    ]);
    expect([a.status, a.error, b.status, b.error]).toEqual(['SUCCEEDED', undefined, 'SUCCEEDED', undefined]);
    expect(await rows('busy')).toEqual([
      [1, 'a'],
      [2, 'a'],
      [3, 'b'],
      [4, 'b'],
    ]);
  });
});
