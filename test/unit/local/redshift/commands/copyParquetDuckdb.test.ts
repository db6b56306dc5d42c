import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetCopyWorker } from '../../../../../local/redshift/commands/copy/parquetCopyWorker.ts';
import {
  duckdbCopyCounts,
  liveTempDirs,
} from '../../../../../local/redshift/commands/copy/parquetDuckdbCopy.ts';
import { executeRedshiftCommand } from '../../../../../local/redshift/commands/index.ts';
import { createS3Client } from '../../../../../src/aws/clients.ts';
import type { CommandHarness } from './commandHarness.ts';
import { startHarness } from './commandHarness.ts';

/** COPY PARQUET's DuckDB fast path: same rows as the hyparquet path, falls back whole, cleans up. */
const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
let h: CommandHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.bucket('pqd');
  await h.client.query(`
    CREATE TABLE sales (salesid integer NOT NULL, buyer varchar(40), qty smallint, big bigint,
      pricepaid numeric(12,2), saletime timestamp, saletz timestamptz, day date, paid boolean,
      note varchar(100), memo text, ratio double precision, small real);
    INSERT INTO sales SELECT g, 'buyer_' || (g % 4999), (g % 8) + 1, g::bigint * 1000000007 * (1 - 2 * (g % 2)),
      round((g % 100000) / 7.0, 2) * (1 - 2 * (g % 3 = 0)::int),
      timestamp '1999-12-31 23:59:59' + (g * 1001) * interval '1 millisecond' + (g % 7) * interval '1 microsecond',
      timestamptz '2008-01-01 00:00:00+00' + g * interval '1 second', date '1969-12-25' + g % 4000,
      CASE WHEN g % 11 = 0 THEN NULL ELSE g % 2 = 0 END,
      CASE WHEN g % 10 = 0 THEN NULL ELSE E'note, "q" | \\\\ tab\\there \\n nl \\r cr ' || g END, 'm' || g,
      (g / 7.0)::float8 * CASE WHEN g % 13 = 0 THEN -1e300 WHEN g % 19 = 0 THEN 1e-310 ELSE 1 END,
      CASE WHEN g % 17 = 0 THEN '-0'::real ELSE (g / 3.0)::real END
    FROM generate_series(1, 20000) g;
  `);
});
afterAll(async () => {
  await h?.close();
});

const run = (sql: string, ctx = h.ctx()) => executeRedshiftCommand(sql, ctx);

async function sameRows(a: string, b: string): Promise<void> {
  const diff = await h.client.query(
    `(SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b}) UNION ALL (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a})`,
  );
  expect(diff.rows).toEqual([]);
}

describe('COPY PARQUET through DuckDB', () => {
  it('loads integers, decimals, floats, timestamps (tz), dates, booleans and escaped strings exactly, without the worker', async () => {
    await run(`UNLOAD ('select * from sales') TO 's3://pqd/sales/' ${ROLE} FORMAT PARQUET`);
    await h.client.query('CREATE TABLE sales_back (LIKE sales)');
    const before = { ...duckdbCopyCounts };
    const res = await run(`COPY sales_back FROM 's3://pqd/sales/' ${ROLE} FORMAT AS PARQUET`);
    expect(res.rows).toBe(20000);
    await sameRows('sales', 'sales_back');
    // Four slices, four files, each through DuckDB: no decoding thread was started.
    expect(duckdbCopyCounts.fast - before.fast).toBe(4);
    expect(duckdbCopyCounts.fallback).toBe(before.fallback);
    expect(ParquetCopyWorker.live).toBe(0);
    expect(liveTempDirs.size).toBe(0);
    const count = await h.client.query('SELECT pg_last_copy_count() AS c').catch(() => undefined);
    if (count) expect(Number(count.rows[0].c)).toBe(20000);
  });

  it('a file with a value the converter must change falls back whole to hyparquet and removes its temp files', async () => {
    await h.client.query(`
      CREATE TABLE blanks (n integer, label varchar(10));
      INSERT INTO blanks SELECT g, CASE WHEN g % 7 = 0 THEN '' ELSE 'r' || g END FROM generate_series(1, 5000) g;
      CREATE TABLE blanks_back (LIKE blanks);
    `);
    await run(`UNLOAD ('select * from blanks') TO 's3://pqd/blanks/' ${ROLE} FORMAT PARQUET PARALLEL OFF`);
    const s3 = createS3Client({ region: 'us-east-1', endpoint: h.s3.endpoint });
    const seen = new Set<string>();
    s3.middlewareStack.add(
      (next) => async (args) => {
        for (const d of liveTempDirs) seen.add(d);
        return next(args);
      },
      { step: 'initialize' },
    );
    const before = { ...duckdbCopyCounts };
    try {
      const res = await run(
        `COPY blanks_back FROM 's3://pqd/blanks/' ${ROLE} FORMAT AS PARQUET`,
        h.ctx({ s3 }),
      );
      expect(res.rows).toBe(5000);
    } finally {
      s3.destroy();
    }
    await sameRows('blanks', 'blanks_back');
    expect(
      (await h.client.query("SELECT count(*)::int AS c FROM blanks_back WHERE label = ''")).rows[0].c,
    ).toBe(714);
    expect(duckdbCopyCounts.fallback - before.fallback).toBe(1);
    expect(duckdbCopyCounts.fast).toBe(before.fast);
    expect(seen.size).toBe(1);
    for (const d of seen) expect(existsSync(d)).toBe(false);
    expect(liveTempDirs.size).toBe(0);
  });

  it('a NULL into NOT NULL keeps the hyparquet error and its stl_load_errors row', async () => {
    await h.client.query(`
      CREATE TABLE nulls (n integer, label varchar(10));
      INSERT INTO nulls VALUES (1, 'a'), (2, NULL), (3, 'c');
      CREATE TABLE nulls_back (n integer, label varchar(10) NOT NULL);
    `);
    await run(
      `UNLOAD ('select * from nulls order by n') TO 's3://pqd/nulls/' ${ROLE} FORMAT PARQUET PARALLEL OFF`,
    );
    await expect(run(`COPY nulls_back FROM 's3://pqd/nulls/' ${ROLE} FORMAT AS PARQUET`)).rejects.toThrow(
      "Load into table 'nulls_back' failed. Check 'stl_load_errors' system table for details.",
    );
    expect((await h.client.query('SELECT count(*)::int AS c FROM nulls_back')).rows[0].c).toBe(0);
    const errors = await h.client.query(
      'SELECT line_number, colname FROM stl_load_errors ORDER BY starttime DESC LIMIT 1',
    );
    expect(Number(errors.rows[0].line_number)).toBe(2);
    expect(String(errors.rows[0].colname).trim()).toBe('label');
    expect(liveTempDirs.size).toBe(0);
  });

  it('a COPY cancelled while the object downloads loads nothing and removes its temp files', async () => {
    await h.client.query('CREATE TABLE sales_cancelled (LIKE sales)');
    const abort = new AbortController();
    const seen = new Set<string>();
    let gets = 0;
    const s3 = h.s3Watching((command) => {
      // The footer is the first ranged read, the row groups the second.
      if (command === 'GetObjectCommand' && ++gets === 2) {
        for (const d of liveTempDirs) seen.add(d);
        abort.abort();
      }
    });
    try {
      await expect(
        run(
          `COPY sales_cancelled FROM 's3://pqd/sales/' ${ROLE} FORMAT AS PARQUET`,
          h.ctx({ s3, signal: abort.signal }),
        ),
      ).rejects.toThrow();
    } finally {
      s3.destroy();
    }
    expect((await h.client.query('SELECT count(*)::int AS c FROM sales_cancelled')).rows[0].c).toBe(0);
    // This object's and the next one's, rendered ahead.
    expect(seen.size).toBeGreaterThanOrEqual(1);
    for (const d of seen) expect(existsSync(d)).toBe(false);
    expect(liveTempDirs.size).toBe(0);
    expect(ParquetCopyWorker.live).toBe(0);
  });
});
