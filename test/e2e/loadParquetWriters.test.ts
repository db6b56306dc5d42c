import { execFileSync } from 'node:child_process';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRunner, PreparedStateMachine } from '../../local/sfn/localRunner.ts';
import { loadJobDocument, runJobDocument } from '../helpers/loadJobDocument.ts';
import { testPythonFor } from '../helpers/pythonEnv.ts';
import type { TestRedshift } from '../helpers/testRedshift.ts';
import type { TestS3 } from '../helpers/testS3.ts';
import { startTestStateMachine, type TestStateMachine } from '../helpers/testStateMachine.ts';

/**
 * Parquet written by Polars (ZSTD, its default) and pyarrow (nested columns) through the load
 * state machine: the table compared with DuckDB's answer over the same file.
 */
const python = testPythonFor('loadParquetWriters.test.ts');

const WRITE = `
import io, json, sys, datetime as dt, decimal, base64
import polars as pl, pyarrow as pa, pyarrow.parquet as pq, duckdb
n = 1000
df = pl.DataFrame({
    "id": list(range(n)),
    "name": [f"n{i}" if i % 10 else None for i in range(n)],
    "amount": [decimal.Decimal(i * 7) / 100 for i in range(n)],
    "sold_at": [dt.datetime(2024, 1, 1) + dt.timedelta(seconds=i * 3601, microseconds=i) for i in range(n)],
}, schema={"id": pl.Int64, "name": pl.Utf8, "amount": pl.Decimal(12, 2), "sold_at": pl.Datetime("us")})
buf = io.BytesIO(); df.write_parquet(buf)
flat = buf.getvalue()
con = duckdb.connect()
path = sys.argv[1]
open(path, "wb").write(flat)
oracle = con.execute(f"select count(*), count(name), sum(id)::varchar, sum(amount)::varchar, min(epoch_us(sold_at))::varchar, max(epoch_us(sold_at))::varchar from read_parquet('{path}')").fetchone()
nested = pa.table({"id": [1, 2], "tags": [{"a": 1, "b": "x"}, None]})
nbuf = io.BytesIO(); pq.write_table(nested, nbuf, compression="zstd")
print(json.dumps({"flat": base64.b64encode(flat).decode(), "nested": base64.b64encode(nbuf.getvalue()).decode(), "oracle": list(oracle)}))
`;

let s3: TestS3;
let redshift: TestRedshift;
let runner: LocalRunner;
let sm: PreparedStateMachine;
let db: pg.Client;
let stack: TestStateMachine | undefined;
let files: { flat: string; nested: string; oracle: (string | number)[] };

function job(name: string, table: string) {
  return loadJobDocument(name, redshift.database, table, { format: { type: 'parquet' } });
}

function run(j: Record<string, unknown>) {
  return runJobDocument(runner, sm, j);
}

describe.runIf(python.ok)('load Parquet from the common writers (local stack)', () => {
  beforeAll(async () => {
    const tmp = `${process.env.TMPDIR ?? '/tmp'}/rt-polars-${process.pid}.parquet`;
    files = JSON.parse(
      execFileSync((python as { python: string }).python, ['-c', WRITE, tmp], { encoding: 'utf8' }),
    ) as typeof files;
    execFileSync('rm', ['-f', tmp]);
    stack = await startTestStateMachine({
      kind: 'load',
      buckets: ['rt-landing', 'rt-staging', 'rt-state'],
      slices: 2,
    });
    ({ s3, redshift, db, runner, sm } = stack);
    const put = (key: string, b64: string) =>
      s3.client.send(
        new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: Buffer.from(b64, 'base64') }),
      );
    await put('polars/part-0.parquet', files.flat);
    await put('nested/part-0.parquet', files.nested);
    await put('not-parquet/part-0.parquet', Buffer.from('id,name\n1,a\n').toString('base64'));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("loads Polars' default ZSTD Parquet exactly as DuckDB reads it", async () => {
    await db.query(
      'create table pl_sales (id bigint, name varchar(20), amount numeric(12,2), sold_at timestamp)',
    );
    const r = await run(job('polars', 'public.pl_sales'));
    expect(r.error, r.cause).toBeUndefined();
    const got = await db.query({
      text: `select count(*)::int, count(name)::int, sum(id)::text, sum(amount)::text,
        min((extract(epoch from sold_at) * 1000000)::bigint)::text, max((extract(epoch from sold_at) * 1000000)::bigint)::text from pl_sales`,
      rowMode: 'array',
    });
    expect(got.rows[0]).toEqual(files.oracle);
    expect(r.output?.result).toMatchObject({ rowsRead: 1000, inserted: 1000, objects: 1 });
  });

  it('createTable creates a missing target from the Parquet footer, typed from the logical types', async () => {
    const r = await run({ ...job('polars', 'public.pl_created'), createTable: { sortKey: ['id'] } });
    expect(r.error, r.cause).toBeUndefined();
    expect(
      (
        await db.query({
          text: `select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale
            from information_schema.columns where table_name = 'pl_created' order by ordinal_position`,
          rowMode: 'array',
        })
      ).rows,
    ).toEqual([
      ['id', 'bigint', null, 64, 0],
      ['name', 'character varying', 65535, null, null],
      ['amount', 'numeric', null, 12, 2],
      ['sold_at', 'timestamp without time zone', null, null, null],
    ]);
    const got = await db.query({
      text: `select count(*)::int, count(name)::int, sum(id)::text, sum(amount)::text,
        min((extract(epoch from sold_at) * 1000000)::bigint)::text, max((extract(epoch from sold_at) * 1000000)::bigint)::text from pl_created`,
      rowMode: 'array',
    });
    expect(got.rows[0]).toEqual(files.oracle);
  });

  it('refuses a nested column into a non-SUPER column, naming the file and column', async () => {
    await db.query('create table nested_bad (id bigint, tags varchar(100))');
    const r = await run(job('nested', 'public.nested_bad'));
    expect(r.error).toBe('SchemaMismatchError');
    expect(r.cause).toContain(
      's3://rt-landing/nested/part-0.parquet cannot load into public.nested_bad: column "tags" is a nested column (struct, list or map), which loads only into SUPER, not character varying. Change the column\'s type in the table or write the file with matching types.',
    );
  });

  it("refuses a file whose columns are not the load's, in order (COPY maps Parquet by position), naming the file", async () => {
    await db.query(
      'create table pl_order (id bigint, name varchar(20), amount numeric(12,2), sold_at timestamp)',
    );
    const r = await run({
      ...job('polars', 'public.pl_order'),
      columns: ['name', 'id', 'amount', 'sold_at'],
    });
    expect(r.error).toBe('SchemaMismatchError');
    expect(r.cause).toContain(
      's3://rt-landing/polars/part-0.parquet has columns (id, name, amount, sold_at) but the load expects (name, id, amount, sold_at) in that order (COPY maps Parquet columns by position). Fix "columns" in the job or the file.',
    );
    expect((await db.query('select count(*)::int as n from pl_order')).rows).toEqual([{ n: 0 }]);
  });

  it('refuses an object that is not Parquet, naming it', async () => {
    await db.query('create table not_parquet (id bigint, name varchar(20))');
    const r = await run(job('not-parquet', 'public.not_parquet'));
    expect(r.error).toBe('PartProcessingError');
    expect(r.cause).toContain(
      's3://rt-landing/not-parquet/part-0.parquet is not a readable Parquet file: parquet file invalid (footer != PAR1)',
    );
    expect((await db.query('select count(*)::int as n from not_parquet')).rows).toEqual([{ n: 0 }]);
  });

  it('createTable from a footer that is not Parquet is refused, naming the object; no table is made', async () => {
    const r = await run({ ...job('not-parquet', 'public.not_parquet_created'), createTable: {} });
    expect(r.error).toBe('SchemaMismatchError');
    expect(r.cause).toContain(
      'createTable: s3://rt-landing/not-parquet/part-0.parquet is not a readable Parquet file (parquet file invalid (footer != PAR1)); declare createTable.columns or fix the file.',
    );
    expect((await db.query("select to_regclass('public.not_parquet_created') as t")).rows).toEqual([
      { t: null },
    ]);
  });
});
