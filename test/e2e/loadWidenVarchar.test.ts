import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLoadReport } from '../../src/load/loadReport.ts';
import { loadJobDocument, runJobDocument } from '../helpers/loadJobDocument.ts';
import { testPythonFor } from '../helpers/pythonEnv.ts';
import { LOAD_TEST_BUCKETS, useTestStateMachine } from '../helpers/testStateMachine.ts';

/**
 * schemaEvolution: [widenVarchar] on the local stack, whose Redshift refuses ALTER COLUMN inside a
 * transaction block as Redshift does (r_ALTER_TABLE.html): a passing load proves the ALTER runs
 * on its own, between prepare and the load transaction.
 */
const t = useTestStateMachine({ kind: 'load', buckets: LOAD_TEST_BUCKETS, slices: 2 });

// 20 ASCII characters; 19 characters of which "é" takes 2 bytes: 20 bytes too.
const LONG = 'twenty-characters-ok';
const ACCENTED = 'café-au-lait-crème'.padEnd(18, '.');

async function rows(sql: string): Promise<unknown[][]> {
  return (await t.db.query({ text: sql, rowMode: 'array' })).rows;
}

async function width(table: string, column: string): Promise<unknown> {
  return (
    await rows(
      `select character_maximum_length from information_schema.columns where table_name = '${table}' and column_name = '${column}'`,
    )
  )[0]?.[0];
}

async function put(key: string, body: string | Buffer) {
  await t.s3.client.send(new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: body }));
}

function job(name: string, table: string, overrides: Record<string, unknown> = {}) {
  return loadJobDocument(name, t.redshift.database, table, {
    schemaEvolution: ['widenVarchar'],
    ...overrides,
  });
}

describe('schemaEvolution: [widenVarchar] (local stack)', () => {
  it('widens a VARCHAR(8) to VARCHAR(32) for 20-byte values before the load, only that column, and reports it', async () => {
    await t.db.query('create table widen_csv (id int, note varchar(8), code varchar(4))');
    await t.db.query("insert into widen_csv values (1, 'short', 'ab')");
    expect(Buffer.byteLength(ACCENTED)).toBe(20);
    await put('widen-csv/a.csv', `id,note,code\n10,${LONG},cd\n11,${ACCENTED},ef\n12,tiny,gh\n`);
    const r = await runJobDocument(t.runner, t.sm, job('widen-csv', 'public.widen_csv'));
    expect(r.error, r.cause).toBeUndefined();
    expect(await width('widen_csv', 'note')).toBe(32);
    expect(await width('widen_csv', 'code')).toBe(4);
    expect(await rows('select id, note, code from widen_csv order by id')).toEqual([
      [1, 'short', 'ab'],
      [10, LONG, 'cd'],
      [11, ACCENTED, 'ef'],
      [12, 'tiny', 'gh'],
    ]);
    const result = r.output?.result as Record<string, unknown>;
    expect(result.widened).toEqual([{ column: 'note', from: 8, to: 32 }]);
    expect(formatLoadReport({ result })).toContain(
      '  widened  column "note" from VARCHAR(8) to VARCHAR(32) (widenVarchar)',
    );
  }, 120_000);

  it('JSON lines: widens each column whose values are longer, one ALTER after the other', async () => {
    await t.db.query('create table widen_json (id int, a varchar(4), b varchar(10), c varchar(64))');
    const long = 'x'.repeat(40);
    await put(
      'widen-json/a.json',
      `${JSON.stringify({ id: 1, a: 'abcdefgh', b: long, c: 'fits' })}\n${JSON.stringify({ id: 2, a: 'ab', b: 'ok', c: long })}\n`,
    );
    const r = await runJobDocument(
      t.runner,
      t.sm,
      job('widen-json', 'public.widen_json', { format: { type: 'json' } }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect([
      await width('widen_json', 'a'),
      await width('widen_json', 'b'),
      await width('widen_json', 'c'),
    ]).toEqual([16, 64, 64]);
    expect(r.output?.result?.widened).toEqual([
      { column: 'a', from: 4, to: 16 },
      { column: 'b', from: 10, to: 64 },
    ]);
    expect(await rows('select id, a, b, c from widen_json order by id')).toEqual([
      [1, 'abcdefgh', long, 'fits'],
      [2, 'ab', 'ok', long],
    ]);
  }, 120_000);

  it('without widenVarchar a longer value is a bad record naming file, line and column; nothing changes', async () => {
    await t.db.query('create table widen_off (id int, note varchar(8))');
    await t.db.query("insert into widen_off values (1, 'short')");
    await put('widen-off/a.csv', `id,note\n10,${LONG}\n`);
    const r = await runJobDocument(
      t.runner,
      t.sm,
      loadJobDocument('widen-off', t.redshift.database, 'public.widen_off'),
    );
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('BadRecordError');
    expect(r.cause).toContain(
      `Bad record in s3://rt-landing/widen-off/a.csv line 2, column "note": "${LONG}" is 20 bytes, longer than character varying(8)`,
    );
    expect(await width('widen_off', 'note')).toBe(8);
    expect(await rows('select id, note from widen_off')).toEqual([[1, 'short']]);
  }, 120_000);

  it('a load that fails after widening rolls its rows back but leaves the wider column (harmless: no value changes)', async () => {
    await t.db.query('create table widen_fail (id int, note varchar(8))');
    await t.db.query("insert into widen_fail values (1, 'short')");
    await put('widen-fail/a.csv', `id,note\n10,${LONG}\n`);
    const r = await runJobDocument(
      t.runner,
      t.sm,
      job('widen-fail', 'public.widen_fail', { postSql: ['SELECT 1/0'] }),
    );
    expect(r.status).toBe('FAILED');
    expect(r.cause).toContain('division by zero');
    expect(await rows('select id, note from widen_fail')).toEqual([[1, 'short']]);
    expect(await width('widen_fail', 'note')).toBe(32);
    // The next run needs no ALTER: the column is wide enough already.
    const again = await runJobDocument(t.runner, t.sm, job('widen-fail', 'public.widen_fail'));
    expect(again.error, again.cause).toBeUndefined();
    expect(again.output?.result?.widened).toBeUndefined();
    expect(await rows('select id, note from widen_fail order by id')).toEqual([
      [1, 'short'],
      [10, LONG],
    ]);
  }, 120_000);
});

const python = testPythonFor('loadWidenVarchar.test.ts');

/**
 * Parquet for widenVarchar: pyarrow (row groups of 50, dictionary pages, SNAPPY) and Polars (its
 * default ZSTD), columns id, note, tag, city in table order. The longest note is 300 bytes
 * (150 x "ü", Polars row 41); pyarrow's notes reach 40 bytes (20 x "é"); tags and cities fit.
 */
const WRITE = `
import sys, pyarrow as pa, pyarrow.parquet as pq, polars as pl
a = pa.table({
  "id": pa.array(range(100, 300), pa.int64()),
  "note": [None if i % 13 == 0 else "\u00e9" * (i % 21) for i in range(200)],
  "tag": [f"t{i % 10}" for i in range(200)],
  "city": [None if i % 5 == 0 else f"city {i}" for i in range(200)],
})
pq.write_table(a, sys.argv[1], row_group_size=50)
notes = [f"p{i}" for i in range(150)]
notes[40] = "\u00fc" * 150
pl.DataFrame({"id": list(range(1000, 1150)), "note": notes, "tag": ["abc"] * 150, "city": [f"c{i}" for i in range(150)]}).write_parquet(sys.argv[2])
pq.write_table(pa.table({"id": pa.array([1, 2], pa.int64()), "note": ["fine", "x" * 70000], "tag": ["a", "b"], "city": ["c", "d"]}), sys.argv[3])
`;

/** DuckDB's answers over both files: count, longest note and city in bytes, sum of ids, sample rows. */
const ORACLE = `
import sys, json, duckdb
c = duckdb.connect()
f = f"read_parquet(['{sys.argv[1]}', '{sys.argv[2]}'])"
agg = c.execute(f"select count(*), max(strlen(note)), max(strlen(city)), sum(id) from {f}").fetchone()
rows = c.execute(f"select id, note, tag, city from {f} where id in (100, 101, 113, 120, 299, 1000, 1040, 1149) order by id").fetchall()
print(json.dumps({"agg": [int(x) for x in agg], "rows": [list(r) for r in rows]}))
`;

describe.runIf(python.ok)(
  'schemaEvolution: [widenVarchar] with Parquet from pyarrow and Polars (local stack)',
  () => {
    let dir: string;
    const py = () => (python as { python: string }).python;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'rt-widen-parquet-'));
      execFileSync(py(), [
        '-c',
        WRITE,
        join(dir, 'arrow.parquet'),
        join(dir, 'polars.parquet'),
        join(dir, 'huge.parquet'),
      ]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("prepare measures the strings and widens VARCHAR(8) to VARCHAR(512) before COPY; the table equals DuckDB's reading", async () => {
      await t.db.query(
        'create table widen_pq (id bigint, note varchar(8), tag varchar(4), city varchar(64))',
      );
      await t.db.query("insert into widen_pq values (1, 'short', 'ab', 'x')");
      await put('widen-pq/arrow.parquet', readFileSync(join(dir, 'arrow.parquet')));
      await put('widen-pq/polars.parquet', readFileSync(join(dir, 'polars.parquet')));
      const r = await runJobDocument(
        t.runner,
        t.sm,
        job('widen-pq', 'public.widen_pq', { format: { type: 'parquet' } }),
      );
      expect(r.error, r.cause).toBeUndefined();
      expect(r.output?.result?.widened).toEqual([{ column: 'note', from: 8, to: 512 }]);
      expect([
        await width('widen_pq', 'note'),
        await width('widen_pq', 'tag'),
        await width('widen_pq', 'city'),
      ]).toEqual([512, 4, 64]);
      const expected = JSON.parse(
        execFileSync(py(), ['-c', ORACLE, join(dir, 'arrow.parquet'), join(dir, 'polars.parquet')], {
          encoding: 'utf8',
        }),
      ) as { agg: number[]; rows: unknown[][] };
      expect(expected.agg.slice(0, 2)).toEqual([350, 300]);
      const [agg] = await rows(
        'select count(*)::int, max(octet_length(note)), max(octet_length(city)), sum(id)::int from widen_pq where id <> 1',
      );
      expect(agg).toEqual(expected.agg);
      expect(
        await rows(
          'select id::int, note, tag, city from widen_pq where id in (100, 101, 113, 120, 299, 1000, 1040, 1149) order by id',
        ),
      ).toEqual(expected.rows);
      expect(await rows('select id::int, note, tag, city from widen_pq where id = 1')).toEqual([
        [1, 'short', 'ab', 'x'],
      ]);
    }, 180_000);

    it('a Parquet value longer than VARCHAR(65535) fails before anything changes, naming file, row and column', async () => {
      await t.db.query(
        'create table widen_pq_huge (id bigint, note varchar(8), tag varchar(4), city varchar(4))',
      );
      await t.db.query("insert into widen_pq_huge values (7, 'kept', 'k', 'k')");
      await put('widen-pq-huge/huge.parquet', readFileSync(join(dir, 'huge.parquet')));
      const r = await runJobDocument(
        t.runner,
        t.sm,
        job('widen-pq-huge', 'public.widen_pq_huge', { format: { type: 'parquet' } }),
      );
      expect(r.status).toBe('FAILED');
      expect(r.error).toBe('BadRecordError');
      expect(r.cause).toContain(
        `Bad record in s3://rt-landing/widen-pq-huge/huge.parquet row 2, column "note": "${'x'.repeat(60)}..." is 70000 bytes, longer than VARCHAR(65535) can be widened to. Nothing was loaded.`,
      );
      expect(await width('widen_pq_huge', 'note')).toBe(8);
      expect(await rows('select id::int, note from widen_pq_huge')).toEqual([[7, 'kept']]);
    }, 180_000);

    it('without widenVarchar an over-long Parquet value fails in COPY, naming file and column; nothing changes', async () => {
      await t.db.query(
        'create table widen_pq_off (id bigint, note varchar(8), tag varchar(4), city varchar(64))',
      );
      await t.db.query("insert into widen_pq_off values (1, 'short', 'ab', 'x')");
      await put('widen-pq-off/polars.parquet', readFileSync(join(dir, 'polars.parquet')));
      const r = await runJobDocument(
        t.runner,
        t.sm,
        loadJobDocument('widen-pq-off', t.redshift.database, 'public.widen_pq_off', {
          format: { type: 'parquet' },
        }),
      );
      expect(r.status).toBe('FAILED');
      expect(r.error).toBe('LoadError');
      expect(r.cause).toMatch(/^COPY into public\.widen_pq_off failed and nothing was loaded: /);
      // Row 41 of the Polars file holds the 300-byte note.
      expect(r.cause).toContain(
        'line 41, column "note": String length exceeds DDL length (prepared from s3://rt-landing/widen-pq-off/polars.parquet). Fix the source and load it again.',
      );
      expect(await width('widen_pq_off', 'note')).toBe(8);
      expect(await rows('select id::int, note from widen_pq_off')).toEqual([[1, 'short']]);
    }, 180_000);
  },
);
