import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobDocument } from '../helpers/exportJobDocument.ts';
import { listKeys } from '../helpers/s3Objects.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

// Issue 15: a query closing the local UNLOAD emulator's wrapper ran a hidden DROP TABLE and the
// run failed with "Cannot read properties of undefined". AWS runs the query as one statement: the
// run must fail with the statement's own error, and nothing else may happen.
let t: TestStack;
let db: pg.Client;
const rows = async () => (await db.query('SELECT id FROM x ORDER BY id')).rows.map((r) => r.id);

beforeAll(async () => {
  t = await startTestStack();
  db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query('CREATE TABLE x (id int); INSERT INTO x VALUES (1), (2), (3)');
});
afterAll(async () => {
  await db?.end();
  await t?.stop();
});

describe('export with a query that hides a second statement (local stack)', () => {
  it('fails with the statement error, drops nothing and writes nothing', async () => {
    const job = exportJobDocument(
      'hidden-statement',
      t.database,
      'select 1 as a) t; drop table x; select * from (select 1 as a',
    );
    const result = await t.run('export', { job, runDate: '2024-05-01' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StatementFailedError');
    expect(result.cause).toContain('syntax error at or near ")"');
    expect(result.cause).not.toContain('Cannot read properties');
    expect(await rows()).toEqual([1, 2, 3]);
    expect(await listKeys(t.clients.s3, 'rt-exports', 'hidden-statement/')).toEqual([]);
    expect(await listKeys(t.clients.s3, 'rt-staging', 'hidden-statement/')).toEqual([]);
  });
});
