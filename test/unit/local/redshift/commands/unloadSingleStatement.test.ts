import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOut } from '../../../../../local/redshift/commands/unload/copyOut.ts';
import type { TestRedshift } from '../../../../helpers/testRedshift.ts';
import { executeAndWait, startTestRedshift, waitForStatement } from '../../../../helpers/testRedshift.ts';
import type { TestS3 } from '../../../../helpers/testS3.ts';
import { startTestS3 } from '../../../../helpers/testS3.ts';

// AWS runs an UNLOAD's query as one statement. The emulator wraps the query in its own SQL
// (COPY (...) TO STDOUT, SELECT * FROM (...)); a query that closes the wrapper's parenthesis must
// never get a second statement run.
const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
let s3: TestS3;
let rs: TestRedshift;
let direct: pg.Client;

const rowsOf = async (table: string) =>
  (await direct.query(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r.id);
const keys = async (prefix: string) =>
  ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'inj', Prefix: prefix }))).Contents ?? []).map(
    (o) => o.Key,
  );
const unload = (query: string, prefix: string, options = '') =>
  executeAndWait(rs, {
    Sql: `UNLOAD ('${query.replace(/'/g, "''")}') TO 's3://inj/${prefix}' ${ROLE} ${options}`,
  });

beforeAll(async () => {
  s3 = await startTestS3();
  rs = await startTestRedshift({ s3Endpoint: s3.endpoint, slices: 2 });
  await s3.client.send(new CreateBucketCommand({ Bucket: 'inj' }));
  direct = new pg.Client(rs.databaseUrl);
  await direct.connect();
  await direct.query('CREATE TABLE x (id int); INSERT INTO x VALUES (1), (2), (3)');
});
afterAll(async () => {
  await direct?.end();
  await rs?.stop();
  await s3?.stop();
});

describe('UNLOAD runs its query as one statement', () => {
  const formats = ['', 'FORMAT CSV', 'FORMAT PARQUET', 'FORMAT JSON', "DELIMITER '~' PARALLEL OFF"];

  it.each(formats)(
    'a query closing the wrapper fails with a syntax error and drops nothing (%s)',
    async (format) => {
      const d = await unload(
        'select 1 as a) t; drop table x; select * from (select 1 as a',
        `closed/${format.length}/`,
        format,
      );
      expect(d.Status).toBe('FAILED');
      expect(d.Error).toBe('ERROR: syntax error at or near ")"');
      expect(await rowsOf('x')).toEqual([1, 2, 3]);
      expect(await keys('closed/')).toEqual([]);
    },
  );

  it('a COPY-closing variant of the injection is refused too', async () => {
    const d = await unload(
      'select 1 as a) to stdout; drop table x; copy (select 1',
      'copyclose/',
      'FORMAT CSV',
    );
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toBe('ERROR: syntax error at or near ")"');
    expect(await rowsOf('x')).toEqual([1, 2, 3]);
  });

  it('two whole statements are refused with a message that says what to do', async () => {
    const d = await unload('select id from x; delete from x', 'two/');
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toBe(
      "ERROR: UNLOAD's query must be a single SELECT statement, but it holds more than one: remove the ';' and what follows it.",
    );
    expect(await rowsOf('x')).toEqual([1, 2, 3]);
    expect(await keys('two/')).toEqual([]);
  });

  it('a statement that is not a SELECT is refused before anything runs', async () => {
    for (const query of ['delete from x', 'drop table x', 'select id into y from x']) {
      const d = await unload(query, 'notselect/');
      expect(d.Status, query).toBe('FAILED');
      expect(d.Error, query).toBe("ERROR: UNLOAD's query must be a SELECT statement that returns rows.");
    }
    expect(await rowsOf('x')).toEqual([1, 2, 3]);
    const y = await direct.query("SELECT to_regclass('y') AS t");
    expect(y.rows[0].t).toBeNull();
  });

  it('a NUL in the query is refused by name', async () => {
    const d = await unload('select 1 as a) to stdout; drop table x; --\u0000', 'nul/');
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toBe('ERROR: The UNLOAD query contains a NUL character: remove it.');
    expect(await rowsOf('x')).toEqual([1, 2, 3]);
  });

  it('the failure is the statement error of a batch, which rolls back', async () => {
    const { Id } = await rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: rs.database,
        Sqls: [
          'DELETE FROM x WHERE id = 3',
          `UNLOAD ('select 1 as a) t; drop table x; select * from (select 1 as a') TO 's3://inj/batch/' ${ROLE}`,
        ],
      }),
    );
    const d = await waitForStatement(rs.client, Id as string);
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toContain('syntax error at or near ")"');
    expect(await rowsOf('x')).toEqual([1, 2, 3]);
  });

  it('ordinary queries still unload, comments and semicolons in literals included', async () => {
    const d = await unload(
      "select id, ';' as s from x -- trailing comment",
      'fine/',
      'FORMAT CSV PARALLEL OFF',
    );
    expect(d.Error).toBeUndefined();
    expect(d.Status).toBe('FINISHED');
    expect(await keys('fine/')).toEqual(['fine/000']);
  });
});

describe('copyOut', () => {
  it('runs only text PostgreSQL parses as one statement', async () => {
    await expect(copyOut(direct, 'COPY (SELECT 1) TO STDOUT; DROP TABLE x')).rejects.toThrow(
      /multiple commands/,
    );
    expect(await rowsOf('x')).toEqual([1, 2, 3]);
    const chunks: Buffer[] = [];
    for await (const c of await copyOut(direct, 'COPY (SELECT id FROM x ORDER BY id) TO STDOUT'))
      chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('1\n2\n3\n');
  });
});

describe('the UNLOAD emulator source', () => {
  it('runs every COPY it builds through copyOut (no direct pg-copy-streams call)', () => {
    const dir = join(import.meta.dirname, '../../../../../local/redshift/commands/unload');
    const direct = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'copyOut.ts')
      .filter((f) => /pg-copy-streams|copyTo\(/.test(readFileSync(join(dir, f), 'utf8')));
    expect(direct).toEqual([]);
  });
});
