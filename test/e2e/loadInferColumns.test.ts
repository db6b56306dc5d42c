import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { loadJobSchema } from '../../src/job/loadJob.ts';
import { inferFromSample } from '../../src/load/inferSample.ts';
import { loadJobDocument, runJobDocument } from '../helpers/loadJobDocument.ts';
import { LOAD_TEST_BUCKETS, useTestStateMachine } from '../helpers/testStateMachine.ts';

/**
 * CSV and JSON carry no types: `createTable: { infer: true }` and `schemaEvolution: [addColumns]`
 * type the columns by the inference `validate --infer` shows (inferFromSample), on the local stack.
 */
const t = useTestStateMachine({ kind: 'load', buckets: LOAD_TEST_BUCKETS, slices: 2 });

async function rows(sql: string): Promise<unknown[][]> {
  return (await t.db.query({ text: sql, rowMode: 'array' })).rows;
}

async function columns(table: string): Promise<unknown[][]> {
  return rows(
    `select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable from information_schema.columns where table_name = '${table}' order by ordinal_position`,
  );
}

async function put(key: string, body: string) {
  await t.s3.client.send(new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: body }));
}

async function* text(s: string) {
  yield s;
}

const AIRPORTS =
  'Airport Code,Airport Name,Elevation Ft,Opened,Cost Total $\nSFO,San Francisco International,13,1927-05-07,12.50\nJFK,John F. Kennedy International,13,1948-07-01,7.25\n';

describe('inferred column types in a run (local stack)', () => {
  it('createTable.infer creates a CSV target with the types validate --infer shows, and loads it', async () => {
    await put('infer-csv/a.csv', AIRPORTS);
    const doc = loadJobDocument('infer-csv', t.redshift.database, 'public.infer_csv', {
      createTable: { infer: true },
    });
    const shown = await inferFromSample(text(AIRPORTS), loadJobSchema.parse(doc), 'a.csv');
    expect(shown).toEqual([
      { name: 'airport_code', type: 'varchar(16)' },
      { name: 'airport_name', type: 'varchar(32)' },
      { name: 'elevation_ft', type: 'smallint' },
      { name: 'opened', type: 'date' },
      { name: 'cost_total', type: 'numeric(4,2)' },
    ]);
    const r = await runJobDocument(t.runner, t.sm, doc);
    expect(r.error, r.cause).toBeUndefined();
    expect(await columns('infer_csv')).toEqual([
      ['airport_code', 'character varying', 16, null, null, 'YES'],
      ['airport_name', 'character varying', 32, null, null, 'YES'],
      ['elevation_ft', 'smallint', null, 16, 0, 'YES'],
      ['opened', 'date', null, null, null, 'YES'],
      ['cost_total', 'numeric', null, 4, 2, 'YES'],
    ]);
    expect(
      await rows(
        'select airport_code, airport_name, elevation_ft, opened::text, cost_total::text from infer_csv order by 1',
      ),
    ).toEqual([
      ['JFK', 'John F. Kennedy International', 13, '1948-07-01', '7.25'],
      ['SFO', 'San Francisco International', 13, '1927-05-07', '12.50'],
    ]);
  }, 120_000);

  it('createTable.infer for JSON lines: keys in first-seen order, lower case, arrays and objects as SUPER', async () => {
    const body = `${JSON.stringify({ id: 1, Name: 'a', tags: ['x', { y: 2 }], at: '2024-01-02T03:04:05Z' })}\n${JSON.stringify({ id: 70000, Name: 'bb', ok: true })}\n`;
    await put('infer-json/a.json', body);
    const r = await runJobDocument(
      t.runner,
      t.sm,
      loadJobDocument('infer-json', t.redshift.database, 'public.infer_json', {
        format: { type: 'json', keys: 'ignorecase' },
        createTable: { infer: true },
      }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect((await columns('infer_json')).map((c) => [c[0], c[1]])).toEqual([
      ['id', 'integer'],
      ['name', 'character varying'],
      // SUPER as the local engine stores it (the Data API's information_schema says "super").
      ['tags', 'jsonb'],
      ['at', 'timestamp with time zone'],
      ['ok', 'boolean'],
    ]);
    expect(await rows('select id, name, tags::text, ok from infer_json order by id')).toEqual([
      [1, 'a', '["x", {"y": 2}]', null],
      [70000, 'bb', null, true],
    ]);
  }, 120_000);

  it('addColumns for CSV: new header fields become nullable columns (inferred or declared types) in the load transaction', async () => {
    await t.db.query('create table add_csv (airport_code varchar(3), airport_name varchar(64))');
    await t.db.query("insert into add_csv values ('LHR', 'Heathrow')");
    await put('add-csv/a.csv', AIRPORTS);
    const r = await runJobDocument(
      t.runner,
      t.sm,
      loadJobDocument('add-csv', t.redshift.database, 'public.add_csv', {
        schemaEvolution: ['addColumns'],
        // A declared type wins over the inferred one (smallint).
        createTable: { columns: [{ name: 'elevation_ft', type: 'integer' }] },
      }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect((await columns('add_csv')).map((c) => [c[0], c[1], c[5]])).toEqual([
      ['airport_code', 'character varying', 'YES'],
      ['airport_name', 'character varying', 'YES'],
      ['elevation_ft', 'integer', 'YES'],
      ['opened', 'date', 'YES'],
      ['cost_total', 'numeric', 'YES'],
    ]);
    expect(
      await rows('select airport_code, elevation_ft, opened::text, cost_total::text from add_csv order by 1'),
    ).toEqual([
      ['JFK', 13, '1948-07-01', '7.25'],
      ['LHR', null, null, null],
      ['SFO', 13, '1927-05-07', '12.50'],
    ]);
  }, 120_000);

  it('addColumns for JSON; a failed load adds nothing (the ADD COLUMN is rolled back with it)', async () => {
    await t.db.query('create table add_json (id int)');
    await t.db.query('insert into add_json values (1)');
    await put('add-json/a.json', `${JSON.stringify({ id: 2, score: 1.5, note: 'hi' })}\n`);
    const doc = loadJobDocument('add-json', t.redshift.database, 'public.add_json', {
      format: { type: 'json' },
      schemaEvolution: ['addColumns'],
    });
    const failed = await runJobDocument(t.runner, t.sm, { ...doc, postSql: ['SELECT 1/0'] });
    expect(failed.status).toBe('FAILED');
    expect((await columns('add_json')).map((c) => c[0])).toEqual(['id']);
    const r = await runJobDocument(t.runner, t.sm, doc);
    expect(r.error, r.cause).toBeUndefined();
    expect((await columns('add_json')).map((c) => [c[0], c[1]])).toEqual([
      ['id', 'integer'],
      ['score', 'numeric'],
      ['note', 'character varying'],
    ]);
    expect(await rows('select id, score::text, note from add_json order by id')).toEqual([
      [1, null, null],
      [2, '1.5', 'hi'],
    ]);
  }, 120_000);

  it('a declared type that would narrow an existing column is one SchemaMismatchError listing every difference; nothing changes', async () => {
    await t.db.query('create table add_bad (airport_code varchar(3), elevation_ft bigint, opened date)');
    await put('add-bad/a.csv', AIRPORTS);
    const r = await runJobDocument(
      t.runner,
      t.sm,
      loadJobDocument('add-bad', t.redshift.database, 'public.add_bad', {
        schemaEvolution: ['addColumns'],
        createTable: {
          columns: [
            { name: 'elevation_ft', type: 'numeric(6,1)' },
            { name: 'opened', type: 'timestamp' },
          ],
        },
      }),
    );
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('SchemaMismatchError');
    expect(r.cause).toContain(
      'The columns of s3://rt-landing/add-bad/a.csv (declared or inferred from its first records) does not match table "public"."add_bad": column "elevation_ft" is bigint in the table but numeric(6,1) in the files (changed); column "opened" is date in the table but timestamp in the files (changed). Change the table by hand',
    );
    expect((await columns('add_bad')).map((c) => c[0])).toEqual(['airport_code', 'elevation_ft', 'opened']);
  }, 120_000);
});
