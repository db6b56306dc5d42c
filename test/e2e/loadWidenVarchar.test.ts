import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { formatLoadReport } from '../../src/load/loadReport.ts';
import { loadJobDocument, runJobDocument } from '../helpers/loadJobDocument.ts';
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

async function put(key: string, body: string) {
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
