import { DescribeStatementCommand, ListStatementsCommand } from '@aws-sdk/client-redshift-data';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJobDocument } from '../helpers/loadJobDocument.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * `mode: merge` through the whole load state machine on the local stack: Redshift's MERGE on the
 * batch de-duplicated by key; target columns absent from the files keep their values.
 */

let t: TestStack;
let db: pg.Client;

function job(name: string, overrides: Record<string, unknown> = {}) {
  return loadJobDocument(name, t.database, 'public.accounts', {
    mode: 'merge',
    keys: ['id'],
    orderBy: 'version',
    ...overrides,
  });
}

async function put(key: string, body: string) {
  await t.clients.s3.send(new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: body }));
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await db.query({ text: sql, rowMode: 'array' })).rows;
}

beforeAll(async () => {
  t = await startTestStack();
  db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query(
    "create table accounts (id int not null, name varchar(20), version int, note varchar(20) not null default 'loaded')",
  );
  await db.query('create table members (id int not null, name varchar(20), version int, op char(1))');
  await db.query("insert into members values (1, 'one', 1, 'U'), (2, 'two', 1, 'U'), (3, 'three', 1, 'U')");
  await db.query("insert into accounts values (1, 'one', 1, 'kept'), (2, 'two', 1, 'kept')");
}, 120_000);

afterAll(async () => {
  await db?.end();
  await t?.stop();
});

describe('load mode merge', () => {
  it('updates matched rows, inserts the others, de-duplicates on the keys, and reports the counts', async () => {
    await put('merge-ok/a.csv', 'id,name,version\n2,two-a,2\n2,two-b,3\n3,three,1\n');
    const result = await t.run('load', { job: job('merge-ok') });
    expect(result.error, result.cause).toBeUndefined();
    const report = JSON.parse(result.output ?? '{}').result;
    expect(report).toMatchObject({
      mode: 'merge',
      records: 3,
      merged: 2,
      inserted: 1,
      updated: 1,
      deleted: 0,
      rowsBefore: 2,
      rowsAfter: 3,
    });
    expect(await rows('select id, name, version, note from accounts order by id')).toEqual([
      [1, 'one', 1, 'kept'],
      [2, 'two-b', 3, 'kept'],
      [3, 'three', 1, 'loaded'],
    ]);

    // The statement that ran is Redshift's MERGE, inside the labelled batch.
    const listed = await t.clients.redshiftData.send(new ListStatementsCommand({}));
    const load = listed.Statements?.find((s) => /^rt:merge-ok:.*:load$/.test(s.StatementName ?? ''));
    const described = await t.clients.redshiftData.send(new DescribeStatementCommand({ Id: load?.Id ?? '' }));
    const texts = (described.SubStatements ?? []).map((s) => s.QueryString ?? '');
    expect(texts).toContain(
      'MERGE INTO "public"."accounts" USING rt_source s ON "public"."accounts"."id" = s."id" ' +
        'WHEN MATCHED THEN UPDATE SET "name" = s."name", "version" = s."version" ' +
        'WHEN NOT MATCHED THEN INSERT ("id", "name", "version") VALUES (s."id", s."name", s."version")',
    );
  });

  it('a second run of the same objects changes nothing (the ledger skips them)', async () => {
    await db.query("update accounts set name = 'edited' where id = 3");
    const result = await t.run('load', { job: job('merge-ok') });
    expect(result.error, result.cause).toBeUndefined();
    expect(await rows('select id, name from accounts order by id')).toEqual([
      [1, 'one'],
      [2, 'two-b'],
      [3, 'edited'],
    ]);
  });

  it('deletes the target rows whose winning source row carries the delete marker, and only those', async () => {
    // Key 1: latest row is a delete; key 2: a delete then a newer update (kept); key 9: a delete
    // for a row the target never had (nothing to delete).
    await put('merge-marker/a.csv', 'id,name,version,op\n1,one,2,D\n2,two-x,2,D\n2,two-y,3,U\n9,nine,1,D\n');
    const result = await t.run('load', {
      job: job('merge-marker', { table: 'public.members', deleteMarker: { column: 'op', value: 'D' } }),
    });
    expect(result.error, result.cause).toBeUndefined();
    expect(JSON.parse(result.output ?? '{}').result).toMatchObject({
      records: 4,
      merged: 1,
      updated: 1,
      inserted: 0,
      deletedByMarker: 1,
      rowsBefore: 3,
      rowsAfter: 2,
    });
    expect(await rows('select id, name, op from members order by id')).toEqual([
      [2, 'two-y', 'U'],
      [3, 'three', 'U'],
    ]);
  });

  it('fails the plan, before any row changes, when the files do not hold the marker column', async () => {
    await put('merge-nomarker/a.csv', 'id,name,version\n3,gone?,9\n');
    const before = await rows('select id, name, version, op from members order by id');
    const result = await t.run('load', {
      job: job('merge-nomarker', { table: 'public.members', deleteMarker: { column: 'op', value: 'D' } }),
    });
    expect(result.error).toBe('SchemaMismatchError');
    expect(result.cause).toContain('deleteMarker column "op" is not among the loaded columns');
    expect(await rows('select id, name, version, op from members order by id')).toEqual(before);
  });
});
