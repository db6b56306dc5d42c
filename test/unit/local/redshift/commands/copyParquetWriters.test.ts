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
 * Files written by the real writers (pyarrow, Polars, DuckDB, pandas with pyarrow and
 * fastparquet) with every codec they write, loaded by the local COPY and compared with DuckDB's
 * answer over the same file (test/python/write_parquet.py).
 */
const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
const python = testPythonFor('copyParquetWriters.test.ts');

type Kind = 'int' | 'float' | 'decimal' | 'date' | 'time' | 'timestamp' | 'bool' | 'string';
interface Written {
  files: {
    name: string;
    writer: string;
    codec: string;
    codecs: string[];
    columns: string[];
    kinds: Record<string, Kind>;
  }[];
  oracle: Record<string, { count: number; aggregates: string[]; sample: string[][] }>;
}

const TYPES: Record<string, string> = {
  i8: 'smallint',
  i16: 'smallint',
  u8: 'smallint',
  i32: 'integer',
  i64: 'bigint',
  u32: 'bigint',
  f32: 'real',
  f64: 'double precision',
  dec: 'numeric(12,2)',
  d: 'date',
  t: 'time',
  ts_ms: 'timestamp',
  ts_us: 'timestamp',
  ts_utc: 'timestamptz',
  b: 'boolean',
  s: 'varchar(200)',
};

/** pandas stores integers with NULLs as doubles: the table follows the file's type. */
const columnType = (c: string, kind: Kind) =>
  kind === 'float' && c !== 'f32' ? 'double precision' : (TYPES[c] as string);

const micros = (c: string) => `(extract(epoch from ${c}) * 1000000)::bigint`;
const AGGREGATE: Record<Kind, (c: string) => string> = {
  int: (c) => `sum(${c})::text`,
  float: (c) => `round(sum(${c})::numeric, 3)::text`,
  decimal: (c) => `sum(${c})::text`,
  date: (c) => `sum(${c} - date '1970-01-01')::text`,
  time: (c) => `sum(${micros(c)})::text`,
  timestamp: (c) => `sum(${micros(c)})::text`,
  bool: (c) => `(count(*) filter (where ${c}))::text`,
  string: (c) => `sum(length(${c}))::text || '/' || min(${c} collate "C")`,
};
const SAMPLE: Partial<Record<Kind, (c: string) => string>> = {
  float: (c) => `round(${c}::numeric, 3)::text`,
  date: (c) => `(${c} - date '1970-01-01')::text`,
  time: (c) => `${micros(c)}::text`,
  timestamp: (c) => `${micros(c)}::text`,
};

/** Floats compare as numbers (the two readers print them differently); everything else exactly. */
function same(file: string, kinds: Kind[], actual: (string | null)[], expected: (string | null)[]) {
  expect(actual.length, file).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] ?? null;
    if (kinds[i] === 'float' && a !== null && e !== null)
      // Relative for huge sums: the two engines add doubles in different orders.
      expect(Math.abs(Number(a) - Number(e)), `${file} value ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(
        5e-4 + Math.abs(Number(e)) * 1e-12,
      );
    else expect(a, `${file} value ${i}`).toBe(e);
  });
}

let h: CommandHarness;
let written: Written;
let dir: string;

describe.runIf(python.ok)('COPY FORMAT AS PARQUET from the common writers', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rt-parquet-writers-'));
    const out = execFileSync((python as { python: string }).python, ['test/python/write_parquet.py', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    written = JSON.parse(out) as Written;
    h = await startHarness();
    await h.bucket('writers');
    for (const f of written.files) await h.put('writers', f.name, readFileSync(join(dir, f.name)));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes every codec the writers offer (the files are what they claim)', () => {
    const codecs = new Set(written.files.flatMap((f) => f.codecs));
    for (const c of ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4']) expect(codecs).toContain(c);
    // Not only pyarrow's: every codec Polars and DuckDB write too (pyarrow names LZ4_RAW 'LZ4').
    for (const writer of ['polars', 'duckdb'])
      expect(
        new Set(written.files.filter((f) => f.writer === writer).flatMap((f) => f.codecs)),
        writer,
      ).toEqual(new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4']));
    expect(new Set(written.files.map((f) => f.writer))).toEqual(
      new Set(['pyarrow', 'polars', 'duckdb', 'pandas/pyarrow', 'pandas/fastparquet']),
    );
  });

  it('loads each file exactly as DuckDB reads it: counts, sums, min/max and sample rows', async () => {
    for (const [n, f] of written.files.entries()) {
      const table = `w${n}`;
      const kinds = f.columns.map((c) => f.kinds[c] as Kind);
      await h.client.query(
        `CREATE TABLE ${table} (${f.columns.map((c, i) => `${c} ${columnType(c, kinds[i] as Kind)}`).join(', ')})`,
      );
      const res = await executeRedshiftCommand(
        `COPY ${table} FROM 's3://writers/${f.name}' ${ROLE} FORMAT AS PARQUET`,
        h.ctx(),
      );
      const oracle = written.oracle[f.name];
      if (oracle === undefined) throw new Error(`no oracle answer for ${f.name}`);
      expect({ file: f.name, rows: res.rows }).toEqual({ file: f.name, rows: oracle.count });
      const aggregates = [
        ...f.columns.map((c) => `count(${c})::text`),
        ...f.columns.map((c, i) => AGGREGATE[kinds[i] as Kind](c)),
      ];
      const got = await h.client.query({
        text: `SELECT ${aggregates.join(', ')} FROM ${table}`,
        rowMode: 'array',
      });
      same(f.name, [...kinds.map(() => 'int' as Kind), ...kinds], got.rows[0] ?? [], oracle.aggregates);
      const cols = f.columns.map(
        (c, i) => `${(SAMPLE[kinds[i] as Kind] ?? ((x: string) => `${x}::text`))(c)} AS c${i}`,
      );
      const sample = await h.client.query({
        text: `SELECT ${cols.join(', ')} FROM ${table} WHERE i64 IS NOT NULL ORDER BY i64, i16 LIMIT 6`,
        rowMode: 'array',
      });
      expect(sample.rows.length, f.name).toBe(oracle.sample.length);
      for (const [r, row] of sample.rows.entries()) same(f.name, kinds, row, oracle.sample[r] as string[]);
    }
  }, 120_000);
});
