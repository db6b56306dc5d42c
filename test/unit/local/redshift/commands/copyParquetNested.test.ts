import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRedshiftCommand } from '../../../../../local/redshift/commands/index.ts';
import { testPythonFor } from '../../../../helpers/pythonEnv.ts';
import type { CommandHarness } from './commandHarness.ts';
import { startHarness } from './commandHarness.ts';

/**
 * Nested Parquet columns (STRUCT, LIST, MAP) written by pyarrow, Polars and DuckDB, loaded into
 * SUPER by the local COPY with SERIALIZETOJSON (ingest-super.html: "By specifying SERIALIZETOJSON
 * in the COPY command, you can load any column type in the file that aligns with a SUPER column
 * in the table as SUPER. This includes structure and array types.") and compared with DuckDB's
 * to_json of the same file. MAP keys become JSON object keys, as strings (serializing-complex-JSON:
 * "Primitive map keys are promoted to string").
 */
const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
const python = testPythonFor('copyParquetNested.test.ts');

const WRITE = `
import sys, os, pyarrow as pa, pyarrow.parquet as pq, polars as pl, duckdb
d = sys.argv[1]
n = 60
pq.write_table(pa.table({
  "id": pa.array(range(n), pa.int32()),
  "tags": pa.array([None if i % 13 == 0 else {"a": i * 10**12, "b": f"x{i}", "c": [i, None]} for i in range(n)],
    pa.struct([("a", pa.int64()), ("b", pa.string()), ("c", pa.list_(pa.int32()))])),
  "items": pa.array([None if i % 17 == 0 else [{"k": j, "v": f"v{j}"} for j in range(i % 4)] for i in range(n)],
    pa.list_(pa.struct([("k", pa.int64()), ("v", pa.string())]))),
  "attrs": pa.array([None if i % 11 == 0 else [(f"k{j}", j * i) for j in range(i % 3)] for i in range(n)],
    pa.map_(pa.string(), pa.int64())),
  "codes": pa.array([[(i, f"c{i}"), (i + 1, None)] for i in range(n)], pa.map_(pa.int32(), pa.string())),
}), os.path.join(d, "arrow.parquet"), compression="zstd")
pl.DataFrame({
  "id": list(range(n)),
  "tags": [None if i % 7 == 0 else {"a": i, "b": f"p{i}"} for i in range(n)],
  "items": [[f"s{j}" for j in range(i % 5)] for i in range(n)],
}).write_parquet(os.path.join(d, "polars.parquet"))
duckdb.sql(f"""COPY (SELECT i::INTEGER AS id, {{'a': i, 'b': 'd' || i}} AS tags, [i, i * 2, NULL] AS items,
  CASE WHEN i % 5 = 0 THEN NULL ELSE MAP {{'m' || i: i::DOUBLE / 4}} END AS attrs
  FROM range({n}) t(i)) TO '{os.path.join(d, "duckdb.parquet")}' (FORMAT parquet)""")
`;

/** DuckDB's reading of a file: each row's id and nested columns as JSON text. */
const ORACLE = `
import sys, json, duckdb
rows = duckdb.sql(f"SELECT id::INTEGER, COLUMNS(* EXCLUDE (id))::JSON::VARCHAR FROM read_parquet('{sys.argv[1]}') ORDER BY id").fetchall()
print(json.dumps([list(r) for r in rows]))
`;

let h: CommandHarness;
let dir: string;
const py = () => (python as { python: string }).python;

function oracle(file: string): unknown[][] {
  const rows = JSON.parse(execFileSync(py(), ['-c', ORACLE, join(dir, file)], { encoding: 'utf8' })) as [
    number,
    ...(string | null)[],
  ][];
  return rows.map(([id, ...nested]) => [id, ...nested.map((v) => (v === null ? null : JSON.parse(v)))]);
}

const FILES = [
  { file: 'arrow.parquet', columns: ['tags', 'items', 'attrs', 'codes'] },
  { file: 'polars.parquet', columns: ['tags', 'items'] },
  { file: 'duckdb.parquet', columns: ['tags', 'items', 'attrs'] },
];

describe.runIf(python.ok)('COPY FORMAT AS PARQUET SERIALIZETOJSON: STRUCT, LIST and MAP into SUPER', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rt-parquet-nested-'));
    execFileSync(py(), ['-c', WRITE, dir]);
    h = await startHarness();
    await h.bucket('nested');
    for (const { file } of FILES) await h.put('nested', file, readFileSync(join(dir, file)));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(FILES)(
    "$file: every SUPER value equals DuckDB's reading of the file",
    async ({ file, columns }) => {
      const table = `nested_${file.split('.')[0]}`;
      // The local Redshift stores SUPER as jsonb (rewriteRedshiftSql); COPY sees the same column kind.
      await h.client.query(
        `CREATE TABLE ${table} (id bigint, ${columns.map((c) => `${c} jsonb`).join(', ')})`,
      );
      const res = await executeRedshiftCommand(
        `COPY ${table} FROM 's3://nested/${file}' ${ROLE} FORMAT AS PARQUET SERIALIZETOJSON`,
        h.ctx(),
      );
      expect(res.rows).toBe(60);
      const got = await h.client.query({
        text: `SELECT id::int, ${columns.join(', ')} FROM ${table} ORDER BY id`,
        rowMode: 'array',
      });
      expect(got.rows).toEqual(oracle(file));
    },
  );

  it('without SERIALIZETOJSON a nested column fails before any row loads, naming the file and column', async () => {
    await h.client.query('CREATE TABLE nested_plain (id bigint, tags jsonb, items jsonb)');
    await expect(
      executeRedshiftCommand(
        `COPY nested_plain FROM 's3://nested/polars.parquet' ${ROLE} FORMAT AS PARQUET`,
        h.ctx(),
      ),
    ).rejects.toThrow(
      'Spectrum Scan Error: file s3://nested/polars.parquet, column "tags" is a nested Parquet column (struct, list or map): COPY loads it into SUPER only with SERIALIZETOJSON (FORMAT PARQUET SERIALIZETOJSON).',
    );
    expect((await h.client.query('SELECT count(*)::int AS n FROM nested_plain')).rows[0]).toEqual({ n: 0 });
  });

  it('a nested column into a column that is not SUPER fails, naming the file, column and type', async () => {
    await h.client.query('CREATE TABLE nested_text (id bigint, tags jsonb, items varchar(500))');
    await expect(
      executeRedshiftCommand(
        `COPY nested_text FROM 's3://nested/polars.parquet' ${ROLE} FORMAT AS PARQUET SERIALIZETOJSON`,
        h.ctx(),
      ),
    ).rejects.toThrow(
      'Spectrum Scan Error: file s3://nested/polars.parquet, column "items" is a nested Parquet column (struct, list or map), which loads only into a SUPER column, not into "items" character varying(500).',
    );
  });

  it('SERIALIZETOJSON is refused outside PARQUET and ORC', async () => {
    await expect(
      executeRedshiftCommand(
        `COPY nested_plain FROM 's3://nested/x.csv' ${ROLE} CSV SERIALIZETOJSON`,
        h.ctx(),
      ),
    ).rejects.toThrow('SERIALIZETOJSON argument is only supported for PARQUET or ORC based COPY, not CSV.');
  });
});
