import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeQuery } from '../../../../../local/redshift/commands/unload/columns.ts';
import { copyOutRows } from '../../../../../local/redshift/commands/unload/copyOut.ts';
import { CopyTextRowParser } from '../../../../../local/redshift/commands/unload/copyTextRows.ts';
import { CsvRowRouter } from '../../../../../local/redshift/commands/unload/csvRowRouter.ts';
import { formatDelimited } from '../../../../../local/redshift/commands/unload/formatRow.ts';
import { pgCsvAsIsSql } from '../../../../../local/redshift/commands/unload/pgCsvAsIs.ts';
import { copyToBytes } from '../../../../helpers/copyToBytes.ts';
import type { TestDatabase } from '../../../../helpers/testDatabase.ts';
import { createTestDatabase } from '../../../../helpers/testDatabase.ts';

// Where PostgreSQL's own CSV is taken as UNLOAD's output, it must be byte for byte what the row
// formatter (Redshift's rules, the reference) writes from the same rows; where it would not be,
// pgCsvAsIsSql must say so (the statement then goes through the transcoder).
let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('csvasis');
  client = new pg.Client(db.url);
  await client.connect();
  await client.query(`
    CREATE TABLE every (id int, i2 smallint, i8 bigint, n numeric(10,2), wide numeric(38,10), r real,
      d double precision, b boolean, day date, t time, tz timetz, ts timestamp, tstz timestamptz,
      iv interval, u uuid, j json, c3 char(3), v varchar(50), tx text);
    INSERT INTO every VALUES
      (1, 0, 0, 0, 0, 0, 0, true, '2024-02-29', '00:00', '00:00+00', '2024-01-02 03:04:05.123456',
       '2024-01-02 03:04:05.5+02', '0', '00000000-0000-0000-0000-000000000000', '""', '', '', ''),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, -32768, -9223372036854775808, -99999999.99, 1234567890123.0123456789, 'NaN', 'Infinity', false,
       'infinity', '23:59:59.999999', '12:00-05:30', '-infinity', 'infinity', '-1 year 2 days 03:04:05.6',
       'abcdefab-cdef-abcd-efab-cdefabcdefab', '{"a":"b,c","d":"line\\nbreak"}', 'a,b', E'line\\nbreak', E'cr\\rlf\\r\\n'),
      (4, 1, 1, 0.01, 1e-10, '-1.5e-07', '1e+300', true, '0001-01-01 BC', '12:34:56', '12:34:56+14',
       '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', '1 mon', NULL, 'null', '"q"', 'say "hi"', '""'),
      (5, 7, 7, 7, 7, 7, 7, false, '2000-01-01', '01:02:03', '01:02:03+01', '2000-01-01', '2000-01-01',
       '7 days', NULL, '[1, 2]', 'x', E'\\\\N', E'\\\\.'),
      (6, 8, 8, 8, 8, 8, 8, true, '2000-01-01', '01:02:03', '01:02:03+01', '2000-01-01', '2000-01-01',
       '8 days', NULL, '{}', 'fre', 'fred', 'NULL'),
      (7, 9, 9, 9, 9, 9, 9, true, '2000-01-01', '01:02:03', '01:02:03+01', '2000-01-01', '2000-01-01',
       '9 days', NULL, '1', '|', 'pipe|and,comma', 'ünïcødé ✓ 𝄞'),
      (8, 10, 10, 10, 10, 10, 10, true, '2000-01-01', '01:02:03', '01:02:03+01', '2000-01-01', '2000-01-01',
       '10 days', NULL, '"x"', '''', 'it''s', E'back\\\\slash\\\\'),
      (9, 11, 11, 11, 11, 11, 11, true, '2000-01-01', '01:02:03', '01:02:03+01', '2000-01-01', '2000-01-01',
       '11 days', NULL, 'true', ' ', '  spaced  ', E'tab\\there');
  `);
  // As the emulator's sessions run (Redshift reads backslash escapes in literals).
  await client.query('SET standard_conforming_strings = off');
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const copyBytes = (sql: string) => copyToBytes(client, sql);

/** Redshift's CSV of `query`, row by row through the formatter, dealt round-robin to slices. */
async function reference(
  query: string,
  delimiter: string,
  nullAs: string,
  slices: number,
): Promise<string[]> {
  const columns = await describeQuery(client, query);
  const parser = new CopyTextRowParser();
  const rows = [...parser.push(await copyBytes(`COPY (${query}) TO STDOUT`)), ...parser.end()];
  const out = Array.from({ length: slices }, () => '');
  rows.forEach((r, i) => {
    out[i % slices] +=
      `${formatDelimited(r, columns, { format: 'csv', delimiter, nullAs, addQuotes: false, escape: false })}\n`;
  });
  return out;
}

/** copyOutRows options for a run nobody cancels. */
const quiet = {
  drain: async () => undefined,
  cancel: async () => undefined,
  signal: new AbortController().signal,
  aborted: () => new Error('aborted'),
};

/** PostgreSQL's CSV of `query` taken as it is: rows from the protocol's messages, dealt by CsvRowRouter. */
async function asIs(sql: string, slices: number): Promise<string[]> {
  const router = new CsvRowRouter(slices, 8);
  const out: Buffer[][] = router.slices.map(() => []);
  const take = async () => {
    router.slices.forEach((s, k) => {
      if (s.committed > 0) out[k]?.push(s.takeCommitted().bytes);
    });
  };
  await copyOutRows(client, sql, { ...quiet, sink: router, drain: take });
  await take();
  expect(router.atRowBoundary).toBe(true);
  return out.map((b) => Buffer.concat(b).toString());
}

const ALL = 'select * from every order by id';

describe('pgCsvAsIsSql', () => {
  it.each([
    ['CSV', ALL, ',', ''],
    ['CSV pipe, NULL AS \\N', ALL, '|', '\\N'],
    ['CSV tab, NULL AS NA', ALL, '\t', 'NA'],
    ["CSV quote-delimited ('), NULL AS NULL", ALL, "'", 'NULL'],
    ['CSV, NULL AS fred (a VARCHAR value)', 'select id, v, tx from every order by id', ',', 'fred'],
    ['CSV, one numeric column', 'select n from every order by id', ',', ''],
    ['CSV, NULL AS x (CHAR(3) cannot print it)', 'select id, c3, v from every order by id', ',', 'x'],
  ])(
    '%s: PostgreSQL CSV taken as it is equals the row formatter, any slices',
    async (_l, query, delimiter, nullAs) => {
      const columns = await describeQuery(client, query);
      const sql = pgCsvAsIsSql(query, columns, delimiter, nullAs);
      expect(sql).toBeDefined();
      for (const slices of [1, 4]) {
        const expected = await reference(query, delimiter, nullAs, slices);
        expect(await asIs(sql as string, slices)).toEqual(expected);
      }
    },
  );

  it.each([
    ['NULL AS 0: a number can print it', 'select id, n from every', '0'],
    ['NULL AS t: a boolean can print it', 'select id, b from every', 't'],
    ['NULL AS fre: CHAR(3) can print it', 'select id, c3 from every', 'fre'],
    ['NULL AS null: json can print it', 'select id, j from every', 'null'],
    ['NULL AS " 1": json can print it', 'select id, j from every', ' 1'],
    ['one TEXT column: PostgreSQL quotes a lone \\.', 'select tx from every', ''],
    ['a type it does not know (an array)', 'select id, array[id] from every', ''],
    ['a NULL AS string PostgreSQL refuses (holds the delimiter)', 'select id from every', 'a,b'],
    ['a NULL AS string PostgreSQL refuses (holds a quote)', 'select id from every', '"'],
  ])('leaves the statement to the transcoder: %s', async (_l, query, nullAs) => {
    const columns = await describeQuery(client, query);
    expect(pgCsvAsIsSql(query, columns, ',', nullAs)).toBeUndefined();
  });
});

describe('copyOutRows', () => {
  it('runs only text PostgreSQL parses as one statement', async () => {
    await client.query('CREATE TABLE keep_me (id int)');
    await expect(
      copyOutRows(client, 'COPY (SELECT 1) TO STDOUT; DROP TABLE keep_me', {
        ...quiet,
        sink: new CsvRowRouter(1),
      }),
    ).rejects.toThrow(/multiple commands/);
    expect((await client.query('SELECT count(*)::int AS n FROM keep_me')).rows[0].n).toBe(0);
  });

  it('a failing drain cancels the COPY, drops the rest and leaves the session idle', async () => {
    const other = new pg.Client(db.url);
    await other.connect();
    const cancelled: number[] = [];
    try {
      const router = new CsvRowRouter(1);
      await expect(
        copyOutRows(
          client,
          'COPY (SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 300000) g) TO STDOUT WITH (FORMAT csv)',
          {
            ...quiet,
            sink: router,
            drain: async () => {
              throw new Error('upload failed');
            },
            cancel: async (pid) => {
              cancelled.push(pid);
              await other.query('SELECT pg_cancel_backend($1)', [pid]);
            },
          },
        ),
      ).rejects.toThrow('upload failed');
      expect(cancelled).toEqual([(client as pg.Client & { processID: number }).processID]);
      expect(router.rows).toBeLessThan(300000);
      expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await other.end();
    }
  });

  it('a query failing mid-stream rejects with its error and leaves the session idle', async () => {
    const router = new CsvRowRouter(2);
    await expect(
      copyOutRows(
        client,
        'COPY (SELECT g, 1 / (g - 50000) FROM generate_series(1, 100000) g) TO STDOUT WITH (FORMAT csv)',
        { ...quiet, sink: router },
      ),
    ).rejects.toThrow(/division by zero/);
    expect((await client.query('SELECT 2 AS two')).rows[0].two).toBe(2);
  });
});

describe('copyOutRows, aborted', () => {
  it('an abort while PostgreSQL has sent nothing yet cancels the COPY at once and leaves the session idle', async () => {
    const other = new pg.Client(db.url);
    await other.connect();
    const pid = (client as pg.Client & { processID: number }).processID;
    const abort = new AbortController();
    try {
      const running = copyOutRows(client, 'COPY (SELECT 1 FROM pg_sleep(600)) TO STDOUT WITH (FORMAT csv)', {
        sink: new CsvRowRouter(1),
        drain: async () => undefined,
        cancel: async (p) => {
          await other.query('SELECT pg_cancel_backend($1)', [p]);
        },
        signal: abort.signal,
        aborted: () => new Error('cancelled by the user'),
      });
      let settled = false;
      running.then(
        () => (settled = true),
        () => (settled = true),
      );
      // Abort once the backend is inside the COPY (a cancel sent earlier would find it idle).
      while (!settled) {
        const { rows } = await other.query(
          `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE 'COPY%'`,
          [pid],
        );
        if (rows.length > 0) break;
      }
      abort.abort();
      await expect(running).rejects.toThrow('cancelled by the user');
      expect((await client.query('SELECT 3 AS three')).rows[0].three).toBe(3);
    } finally {
      await other.end();
    }
  });
});

describe('copyOutRows, zero rows', () => {
  it('a COPY of no rows ends cleanly with nothing routed', async () => {
    const router = new CsvRowRouter(4);
    const sql = pgCsvAsIsSql(
      'select id, v from every where false',
      await describeQuery(client, 'select id, v from every'),
      ',',
      '',
    );
    await copyOutRows(client, sql as string, { ...quiet, sink: router });
    expect(router.rows).toBe(0);
    expect(router.slices.map((s) => s.len)).toEqual([0, 0, 0, 0]);
    expect((await client.query('SELECT 4 AS four')).rows[0].four).toBe(4);
  });
});
