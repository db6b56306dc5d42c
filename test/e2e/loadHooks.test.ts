import { DescribeStatementCommand, ListStatementsCommand } from '@aws-sdk/client-redshift-data';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJobSchema } from '../../src/job/loadJob.ts';
import { loadJobDocument } from '../helpers/loadJobDocument.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * A load's preSql/postSql run inside its one transaction (a failing hook rolls the whole load
 * back), and every statement of the transaction carries the run's label as its query_group.
 */

let t: TestStack;
let db: pg.Client;

function job(name: string, overrides: Record<string, unknown> = {}) {
  return loadJobDocument(name, t.database, 'public.items', overrides);
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
  await db.query('create table items (id int, name varchar(20))');
  await db.query('create table load_audit (run_id varchar(40), table_rows int, note varchar(20))');
  await db.query("insert into items values (1, 'seed'), (-1, 'scratch')");
}, 120_000);

afterAll(async () => {
  await db?.end();
  await t?.stop();
});

describe('load preSql / postSql', () => {
  it('runs the hooks in the load transaction with {table} and {runId} filled in, and counts them', async () => {
    await put('hooks-ok/a.csv', 'id,name\n2,two\n3,three\n');
    const result = await t.run('load', {
      job: job('hooks-ok', {
        preSql: ['DELETE FROM {table} WHERE id < 0;'],
        postSql: [
          "INSERT INTO load_audit SELECT '{runId}', COUNT(*), 'after' FROM {table}",
          'ANALYZE {table}',
        ],
      }),
    });
    expect(result.error, result.cause).toBeUndefined();
    const report = JSON.parse(result.output ?? '{}').result;
    expect(report).toMatchObject({
      records: 2,
      merged: 2,
      rowsBefore: 1,
      rowsAfter: 3,
      preSql: 1,
      postSql: 2,
    });
    expect(await rows('select id from items order by id')).toEqual([[1], [2], [3]]);
    const audit = await rows('select run_id, table_rows, note from load_audit');
    expect(audit).toHaveLength(1);
    expect(audit[0]?.[0]).toMatch(/^\d{8}-[0-9a-f]+$/);
    expect(audit[0]?.slice(1)).toEqual([3, 'after']);

    // The label: StatementName on the Data API, query_group for every statement of the batch.
    const runId = audit[0]?.[0] as string;
    const label = `rt:hooks-ok:${runId}:load`;
    const listed = await t.clients.redshiftData.send(new ListStatementsCommand({ StatementName: label }));
    const statement = listed.Statements?.find((s) => s.StatementName === label);
    expect(statement?.IsBatchStatement).toBe(true);
    const described = await t.clients.redshiftData.send(
      new DescribeStatementCommand({ Id: statement?.Id ?? '' }),
    );
    const texts = (described.SubStatements ?? []).map((s) => s.QueryString);
    expect(texts[0]).toBe(`SET query_group TO '${label}'`);
    expect(texts[1]).toBe('LOCK "public"."items"');
    expect(texts[2]).toBe('DELETE FROM "public"."items" WHERE id < 0');
    expect(texts).toContain(
      `INSERT INTO load_audit SELECT '${runId}', COUNT(*), 'after' FROM "public"."items"`,
    );
    // The run's other batches (ledger, plan) set their own label first too.
    for (const step of ['ledger', 'plan']) {
      const name = `rt:hooks-ok:${runId}:${step}`;
      const found = await t.clients.redshiftData.send(new ListStatementsCommand({ StatementName: name }));
      const batch = found.Statements?.find((s) => s.StatementName === name);
      const sub = await t.clients.redshiftData.send(new DescribeStatementCommand({ Id: batch?.Id ?? '' }));
      expect(sub.SubStatements?.[0]?.QueryString).toBe(`SET query_group TO '${name}'`);
      expect(sub.SubStatements?.every((x) => x.Status === 'FINISHED')).toBe(true);
    }
  });

  it('a failing postSql rolls the whole load back: no rows, no ledger entry, no audit row', async () => {
    await put('hooks-fail/a.csv', 'id,name\n10,ten\n');
    const before = await rows('select id from items order by id');
    const result = await t.run('load', {
      job: job('hooks-fail', {
        preSql: ["INSERT INTO load_audit VALUES ('{runId}', 0, 'pre')"],
        postSql: ['SELECT 1/0'],
      }),
    });
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('division by zero');
    expect(await rows('select id from items order by id')).toEqual(before);
    expect(await rows("select count(*)::int from load_audit where note = 'pre'")).toEqual([[0]]);
    expect(
      await rows("select count(*)::int from rt_load_ledger where object_key like 'hooks-fail/%'"),
    ).toEqual([[0]]);
  });

  it('rejects several statements or unknown placeholders in one entry, by path', () => {
    const parsed = loadJobSchema.safeParse(
      job('hooks-bad', {
        preSql: ['DELETE FROM {table}; DROP TABLE x', "SELECT ';' -- fine;"],
        postSql: ['GRANT SELECT ON {tabel} TO GROUP readers'],
      }),
    );
    expect(parsed.success).toBe(false);
    const issues = parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues).toEqual([
      'preSql.0: holds several statements: give each one as its own list entry',
      'postSql.0: unknown placeholder {tabel}; use {table} or {runId}',
    ]);
  });
});
