import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AsyncBuffer, parquetMetadataAsync } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRecordError } from '../../../src/errors.ts';
import { mayExceed, measureParquetStrings } from '../../../src/load/parquetStringLengths.ts';
import type { TargetColumn } from '../../../src/load/targetColumns.ts';
import { testPythonFor } from '../../helpers/pythonEnv.ts';
import { targetColumn } from '../../helpers/targetColumn.ts';

const python = testPythonFor('parquetStringLengths.test.ts');

/**
 * Files written by pyarrow: 300 rows in row groups of 100, "note" dictionary-encoded with ZSTD
 * pages, "code" plain with GZIP pages, NULLs; the longest note (40 x "é", 80 bytes) is row 251.
 */
const WRITE = `
import sys, pyarrow as pa, pyarrow.parquet as pq
n = 300
notes = [None if i % 9 == 0 else "a" * (i % 50) for i in range(n)]
notes[250] = "\\u00e9" * 40
t = pa.table({"id": pa.array(range(n), pa.int32()), "note": notes, "code": [f"c{i % 7}" for i in range(n)]})
pq.write_table(t, sys.argv[1], row_group_size=100, compression={"note": "zstd", "code": "gzip", "id": "snappy"},
  use_dictionary=["note"])
huge = pa.table({"id": pa.array(range(10), pa.int32()), "note": ["x" * 70000 if i == 7 else "ok" for i in range(10)], "code": ["c"] * 10})
pq.write_table(huge, sys.argv[2], compression="snappy")
import duckdb
duckdb.sql(f"""COPY (SELECT i AS id, ('{{"a":   ' || i || ', "b": "x"}}')::JSON AS doc FROM range(3) t(i)) TO '{sys.argv[3]}' (FORMAT parquet)""")
`;

let dir: string;

function fileBuffer(path: string): AsyncBuffer & { reads: number } {
  const bytes = readFileSync(path);
  const buffer = {
    reads: 0,
    byteLength: bytes.length,
    slice(start: number, end?: number): ArrayBuffer {
      buffer.reads++;
      const b = bytes.subarray(start, end ?? bytes.length);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
    },
  };
  return buffer;
}

const varchar = (name: string, maxLength: number, widenUpTo?: number): TargetColumn =>
  targetColumn(name, 'character varying', { maxLength, ...(widenUpTo === undefined ? {} : { widenUpTo }) });

describe.runIf(python.ok)(
  'measureParquetStrings (widenVarchar for Parquet, files written by pyarrow)',
  () => {
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'rt-parquet-lengths-'));
      execFileSync((python as { python: string }).python, [
        '-c',
        WRITE,
        join(dir, 'notes.parquet'),
        join(dir, 'huge.parquet'),
        join(dir, 'json.parquet'),
      ]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds the longest value in UTF-8 bytes across row groups, dictionary and plain pages', async () => {
      const file = fileBuffer(join(dir, 'notes.parquet'));
      const metadata = await parquetMetadataAsync(file);
      expect(metadata.row_groups.length).toBe(3);
      const longest = await measureParquetStrings(
        file,
        metadata,
        [
          { name: 'note', column: varchar('note', 16, 65535) },
          { name: 'code', column: varchar('code', 1, 65535) },
        ],
        's3://b/notes.parquet',
      );
      // code: "c0".."c6" are 2 bytes, longer than VARCHAR(1); note: row 251's 80 bytes.
      expect(longest.toJSON()).toEqual({ note: 80, code: 2 });
    });

    it('reports nothing when every value fits', async () => {
      const file = fileBuffer(join(dir, 'notes.parquet'));
      const metadata = await parquetMetadataAsync(file);
      const longest = await measureParquetStrings(
        file,
        metadata,
        [{ name: 'note', column: varchar('note', 80, 65535) }],
        's3://b/notes.parquet',
      );
      expect(longest.toJSON()).toBeUndefined();
    });

    it('reads no page when the footer proves every value fits (column chunks smaller than the VARCHAR)', async () => {
      const file = fileBuffer(join(dir, 'notes.parquet'));
      const metadata = await parquetMetadataAsync(file);
      const chunkBytes = Math.max(
        ...metadata.row_groups.map((rg) =>
          Number(
            rg.columns.find((c) => c.meta_data?.path_in_schema[0] === 'code')?.meta_data
              ?.total_uncompressed_size,
          ),
        ),
      );
      expect(mayExceed(metadata, 'code', chunkBytes)).toBe(false);
      expect(mayExceed(metadata, 'code', chunkBytes - 1)).toBe(true);
      // A footer whose column chunks carry no metadata proves nothing.
      const bare = {
        ...metadata,
        row_groups: metadata.row_groups.map((rg) => ({
          ...rg,
          columns: rg.columns.map(({ meta_data: _m, ...c }) => c),
        })),
      };
      expect(mayExceed(bare, 'code', chunkBytes)).toBe(true);
      const before = file.reads;
      const longest = await measureParquetStrings(
        file,
        metadata,
        [{ name: 'code', column: varchar('code', chunkBytes, 65535) }],
        's3://b/notes.parquet',
      );
      expect(longest.toJSON()).toBeUndefined();
      expect(file.reads).toBe(before);
    });

    it('a value longer than VARCHAR(65535) is a BadRecordError naming the file, row and column', async () => {
      const file = fileBuffer(join(dir, 'huge.parquet'));
      const metadata = await parquetMetadataAsync(file);
      const error = await measureParquetStrings(
        file,
        metadata,
        [{ name: 'note', column: varchar('note', 16, 65535) }],
        's3://b/huge.parquet',
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRecordError);
      expect((error as Error).message).toBe(
        `Bad record in s3://b/huge.parquet row 8, column "note": "${'x'.repeat(60)}..." is 70000 bytes, longer than VARCHAR(65535) can be widened to. Nothing was loaded. Fix the file and load it again (COPY from Parquet stops at the first bad value).`,
      );
    });

    it("a JSON-annotated column (DuckDB's JSON) is measured as the file's text, not a re-serialized value", async () => {
      const file = fileBuffer(join(dir, 'json.parquet'));
      const metadata = await parquetMetadataAsync(file);
      const longest = await measureParquetStrings(
        file,
        metadata,
        [{ name: 'doc', column: varchar('doc', 8, 65535) }],
        's3://b/json.parquet',
      );
      // '{"a":   2, "b": "x"}' is 20 bytes as written; the compact JSON of its parsed value, 15.
      expect(longest.toJSON()).toEqual({ doc: 20 });
    });
  },
);
