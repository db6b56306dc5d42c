import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedshiftWire, startRedshiftWire } from '../../../../local/jdbc/startRedshiftWire.ts';
import { createTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.ts';
import { startTestS3, type TestS3 } from '../../../helpers/testS3.ts';
import { wireUrl } from '../../../helpers/wireUrl.ts';

describe('SYS_QUERY_HISTORY for statements sent through the wire endpoint (psql, JDBC, drivers)', () => {
  let db: TestDatabase;
  let s3: TestS3;
  let wire: RedshiftWire;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('wirehist');
    s3 = await startTestS3();
    wire = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint });
    client = new pg.Client(wireUrl(db.url, wire));
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await wire?.stop();
    await s3?.stop();
    await db?.drop();
  });

  it('records simple and extended-protocol statements with their label, type, status and rows', async () => {
    // One simple Query holding four statements, as psql sends a line.
    await client.query(
      "SET query_group TO 'rt:orders:run-1:load'; CREATE TABLE w (id int); INSERT INTO w VALUES (1), (2); SELECT id FROM w",
    );
    // A parameterized query: Parse/Bind/Execute.
    expect((await client.query('SELECT id FROM w WHERE id > $1', [1])).rows).toEqual([{ id: 2 }]);
    await expect(client.query('SELECT * FROM no_such_table')).rejects.toThrow(/does not exist/);
    await client.query('RESET query_group');
    await client.query('SELECT 1');
    const { rows } = await client.query<{
      t: string;
      s: string;
      r: string;
      q: string;
      l: string;
      e: string | null;
    }>(
      `SELECT trim(query_type) AS t, trim(status) AS s, returned_rows AS r, trim(query_text) AS q,
         trim(query_label) AS l, trim(error_message) AS e FROM sys_query_history ORDER BY query_id`,
    );
    expect(rows.map((x) => [x.t, x.s, Number(x.r), x.q, x.l, x.e])).toEqual([
      ['UTILITY', 'success', 0, "SET query_group TO 'rt:orders:run-1:load'", 'default', null],
      ['DDL', 'success', 0, 'CREATE TABLE w (id int)', 'rt:orders:run-1:load', null],
      ['INSERT', 'success', 0, 'INSERT INTO w VALUES (1), (2)', 'rt:orders:run-1:load', null],
      ['SELECT', 'success', 2, 'SELECT id FROM w', 'rt:orders:run-1:load', null],
      ['SELECT', 'success', 1, 'SELECT id FROM w WHERE id > $1', 'rt:orders:run-1:load', null],
      [
        'SELECT',
        'failed',
        0,
        'SELECT * FROM no_such_table',
        'rt:orders:run-1:load',
        'relation "no_such_table" does not exist',
      ],
      ['UTILITY', 'success', 0, 'RESET query_group', 'rt:orders:run-1:load', null],
      ['SELECT', 'success', 1, 'SELECT 1', 'default', null],
    ]);
  });
});
