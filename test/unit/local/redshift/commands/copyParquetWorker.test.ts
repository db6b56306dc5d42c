import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetCopyWorker } from '../../../../../local/redshift/commands/copy/parquetCopyWorker.ts';
import { executeRedshiftCommand } from '../../../../../local/redshift/commands/index.ts';
import type { CommandHarness } from './commandHarness.ts';
import { startHarness } from './commandHarness.ts';

/** COPY PARQUET decodes on a worker thread: errors keep their text, rows their order, and no thread outlives a failure. */
const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
let h: CommandHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.bucket('pqw');
  await h.client.query(`
    CREATE TABLE src (n integer, label varchar(10));
    INSERT INTO src SELECT g, CASE WHEN g % 7 = 0 THEN '' WHEN g % 5 = 0 THEN NULL ELSE 'r' || g END
      FROM generate_series(1, 100000) g;
  `);
});
afterAll(async () => {
  await h?.close();
});

const run = (sql: string) => executeRedshiftCommand(sql, h.ctx());

/** A COPY into `table` that must fail with `message`, load nothing and leave no worker thread. */
async function expectFailedCopy(table: string, from: string, message: string | RegExp): Promise<void> {
  await expect(run(`COPY ${table} FROM '${from}' ${ROLE} FORMAT AS PARQUET`)).rejects.toThrow(message);
  expect((await h.client.query(`SELECT count(*)::int AS c FROM ${table}`)).rows[0].c).toBe(0);
  expect(ParquetCopyWorker.live).toBe(0);
}

describe('COPY PARQUET on a worker thread', () => {
  it('loads rows the fast path writes and rows the converter takes (empty strings) in file order', async () => {
    await run(
      `UNLOAD ('select * from src order by n') TO 's3://pqw/src/' ${ROLE} FORMAT PARQUET PARALLEL OFF`,
    );
    await h.client.query('CREATE TABLE src_back (LIKE src); CREATE SEQUENCE src_seq');
    await h.client.query("ALTER TABLE src_back ADD COLUMN pos bigint DEFAULT nextval('src_seq')");
    const res = await run(`COPY src_back (n, label) FROM 's3://pqw/src/' ${ROLE} FORMAT AS PARQUET`);
    expect(res.rows).toBe(100000);
    const diff = await h.client.query(
      '(SELECT n, label FROM src EXCEPT SELECT n, label FROM src_back) UNION ALL (SELECT n, label FROM src_back EXCEPT SELECT n, label FROM src)',
    );
    expect(diff.rows).toEqual([]);
    const empty = await h.client.query("SELECT count(*)::int AS c FROM src_back WHERE label = ''");
    expect(empty.rows[0].c).toBe(Math.floor(100000 / 7));
    // Insertion order is the file's: the sequence numbers follow n.
    const order = await h.client.query(
      'SELECT count(*)::int AS c FROM src_back WHERE pos - n <> (SELECT min(pos) - 1 FROM src_back)',
    );
    expect(order.rows[0].c).toBe(0);
    // A clean statement leaves at most the one idle worker for the next.
    expect(ParquetCopyWorker.live).toBeLessThanOrEqual(1);
  });

  it('escapes tab, newline, carriage return and backslash in COPY text; non-ASCII goes through the converter', async () => {
    await h.client.query(`
      CREATE TABLE esc (n integer, s varchar(20));
      INSERT INTO esc VALUES (1, E'a\\tb'), (2, E'line\\nbreak'), (3, E'back\\\\slash'), (4, 'crème'), (5, E'x\\ry'), (6, 'plain');
      CREATE TABLE esc_back (LIKE esc);
    `);
    await run(`UNLOAD ('select * from esc') TO 's3://pqw/esc/' ${ROLE} FORMAT PARQUET`);
    expect((await run(`COPY esc_back FROM 's3://pqw/esc/' ${ROLE} FORMAT AS PARQUET`)).rows).toBe(6);
    const back = await h.client.query('SELECT * FROM esc_back ORDER BY n');
    expect(back.rows.map((r) => r.s)).toEqual([
      'a\tb',
      'line\nbreak',
      'back\\slash',
      'crème',
      'x\ry',
      'plain',
    ]);
  });

  it('names the file that is not Parquet and leaves no worker thread behind', async () => {
    await h.put('pqw', 'bad/x.parquet', 'n,label\n1,a\n');
    await h.client.query('CREATE TABLE bad_back (LIKE src)');
    await expectFailedCopy(
      'bad_back',
      's3://pqw/bad/',
      /^Spectrum Scan Error: file s3:\/\/pqw\/bad\/x\.parquet is not a readable Parquet file: /,
    );
  });

  it('fails on a column count mismatch with the counts, loading nothing', async () => {
    await h.client.query('CREATE TABLE wide (n integer, label varchar(10), extra integer)');
    await expectFailedCopy(
      'wide',
      's3://pqw/src/',
      'Spectrum Scan Error: file s3://pqw/src/000.parquet has 2 columns but the COPY loads 3: Parquet columns map to table columns by position and their counts must match.',
    );
  });

  it('a row the converter rejects (NULL into NOT NULL) fails the load with its line in stl_load_errors', async () => {
    await h.client.query('CREATE TABLE strict (n integer, label varchar(10) NOT NULL)');
    await expectFailedCopy(
      'strict',
      's3://pqw/src/',
      "Load into table 'strict' failed. Check 'stl_load_errors' system table for details.",
    );
    const err = await h.client.query(
      "SELECT line_number, colname, err_code FROM stl_load_errors WHERE filename = 's3://pqw/src/000.parquet' ORDER BY starttime DESC LIMIT 1",
    );
    // Row 5 is the first NULL label (n % 5 = 0).
    expect(err.rows[0]).toMatchObject({ line_number: expect.anything(), err_code: 1213 });
    expect(Number(err.rows[0].line_number)).toBe(5);
    expect(String(err.rows[0].colname).trim()).toBe('label');
  });

  it('a COPY cancelled while the worker decodes stops the worker and loads nothing', async () => {
    // A double column has no DuckDB fast path (parquetDuckdbSql.ts): after its footer read (the
    // first GET) the file goes to the worker.
    await h.client.query('CREATE TABLE cancelled (n double precision, label varchar(10))');
    const abort = new AbortController();
    let ranged = 0;
    let liveAtCancel = -1;
    const s3 = h.s3Watching((command) => {
      // The worker's footer is the second ranged read, a row group the third: it is running then.
      if (command === 'GetObjectCommand' && ++ranged === 3) {
        liveAtCancel = ParquetCopyWorker.live;
        abort.abort();
      }
    });
    try {
      await expect(
        executeRedshiftCommand(
          `COPY cancelled FROM 's3://pqw/src/' ${ROLE} FORMAT AS PARQUET`,
          h.ctx({ s3, signal: abort.signal }),
        ),
      ).rejects.toThrow();
    } finally {
      s3.destroy();
    }
    expect(liveAtCancel).toBe(1);
    expect((await h.client.query('SELECT count(*)::int AS c FROM cancelled')).rows[0].c).toBe(0);
    expect(ParquetCopyWorker.live).toBe(0);
  });
});
