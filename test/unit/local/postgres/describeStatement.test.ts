import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStatement } from '../../../../local/postgres/describeStatement.ts';
import type { TestDatabase } from '../../../helpers/testDatabase.ts';
import { createTestDatabase } from '../../../helpers/testDatabase.ts';

let db: TestDatabase;
let client: pg.Client;
const count = async () => Number((await client.query('SELECT count(*) AS n FROM keep')).rows[0].n);

beforeAll(async () => {
  db = await createTestDatabase('desc');
  client = new pg.Client(db.url);
  await client.connect();
  await client.query('CREATE TABLE keep (id int); INSERT INTO keep VALUES (1), (2), (3)');
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('describeStatement', () => {
  it('describes the result columns of a query without running it', async () => {
    const fields = await describeStatement(client, "SELECT id, 'x'::varchar(7) AS v FROM keep");
    expect(fields?.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier])).toEqual([
      ['id', 23, -1],
      ['v', 1043, 11],
    ]);
    // A statement with a side effect is parsed, never executed.
    expect(await describeStatement(client, 'DELETE FROM keep')).toBeUndefined();
    expect(await describeStatement(client, 'DROP TABLE keep')).toBeUndefined();
    expect(await count()).toBe(3);
  });

  it('refuses a second statement, running none of them', async () => {
    await expect(describeStatement(client, 'SELECT 1; DROP TABLE keep')).rejects.toThrow(
      'cannot insert multiple commands into a prepared statement',
    );
    await expect(
      describeStatement(client, 'COPY (SELECT 1) TO STDOUT; DELETE FROM keep; SELECT 1'),
    ).rejects.toMatchObject({ code: '42601' });
    expect(await count()).toBe(3);
  });

  it("reports PostgreSQL's syntax error with its position, and the connection stays usable", async () => {
    await expect(describeStatement(client, 'select 1 as a) t')).rejects.toMatchObject({
      message: 'syntax error at or near ")"',
      position: '14',
    });
    await expect(describeStatement(client, 'SELECT * FROM missing_table')).rejects.toMatchObject({
      code: '42P01',
    });
    expect(await count()).toBe(3);
  });

  it('inside a transaction, a refused statement aborts the transaction like any failed statement', async () => {
    await client.query('BEGIN');
    await client.query('DELETE FROM keep WHERE id = 3');
    await expect(describeStatement(client, 'SELECT 1; SELECT 2')).rejects.toThrow(/multiple commands/);
    await expect(client.query('SELECT 1')).rejects.toThrow(/current transaction is aborted/);
    await client.query('ROLLBACK');
    expect(await count()).toBe(3);
  });
});
