import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { duckdbCopyCounts } from '../../../../../local/redshift/commands/copy/parquetDuckdbCopy.ts';
import { executeRedshiftCommand } from '../../../../../local/redshift/commands/index.ts';
import type { CommandHarness } from './commandHarness.ts';
import { startHarness } from './commandHarness.ts';

// A machine where DuckDB's native binding cannot be loaded (no prebuilt binary for it).
vi.mock('@duckdb/node-api', () => {
  throw new Error('Cannot find module @duckdb/node-bindings-linux-x64/duckdb.node');
});

/** Without DuckDB, COPY PARQUET loads every file through hyparquet, after one warning. */
const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
let h: CommandHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.bucket('pqn');
  await h.client.query(`
    CREATE TABLE src (n integer, label varchar(10));
    INSERT INTO src SELECT g, 'r' || g FROM generate_series(1, 3000) g;
    CREATE TABLE back1 (LIKE src);
    CREATE TABLE back2 (LIKE src);
  `);
});
afterAll(async () => {
  await h?.close();
});

describe('COPY PARQUET without DuckDB', () => {
  it('falls back to hyparquet with one warning naming the cause', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      await executeRedshiftCommand(
        `UNLOAD ('select * from src') TO 's3://pqn/src/' ${ROLE} FORMAT PARQUET`,
        h.ctx(),
      );
      for (const t of ['back1', 'back2']) {
        const res = await executeRedshiftCommand(
          `COPY ${t} FROM 's3://pqn/src/' ${ROLE} FORMAT AS PARQUET`,
          h.ctx(),
        );
        expect(res.rows).toBe(3000);
        const diff = await h.client.query(
          `(SELECT * FROM src EXCEPT SELECT * FROM ${t}) UNION ALL (SELECT * FROM ${t} EXCEPT SELECT * FROM src)`,
        );
        expect(diff.rows).toEqual([]);
      }
    } finally {
      process.off('warning', onWarning);
    }
    const duck = warnings.filter((w) => w.includes('DuckDB could not be loaded'));
    expect(duck).toHaveLength(1);
    expect(duck[0]).toContain('hyparquet');
    expect(duckdbCopyCounts).toEqual({ fast: 0, fallback: 0 });
  });
});
