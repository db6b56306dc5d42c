import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CopyStatement } from '../parser/ast.ts';
import type { DuckdbSourceColumn } from './parquetDuckdbSql.ts';
import { duckdbCopyTextSql } from './parquetDuckdbSql.ts';
import type { RangeReader } from './parquetRecords.ts';
import type { TargetColumn } from './targetColumns.ts';

type DuckdbModule = typeof import('@duckdb/node-api');

let duckdb: Promise<DuckdbModule | undefined> | undefined;

/** DuckDB's native binding, loaded once; if it cannot load, COPY keeps the hyparquet path (one warning). */
function loadDuckdb(): Promise<DuckdbModule | undefined> {
  duckdb ??= import('@duckdb/node-api').catch((err: unknown) => {
    process.emitWarning(
      `DuckDB could not be loaded (${(err as Error).message}); COPY PARQUET decodes with hyparquet instead.`,
      { code: 'REDSHIFT_TRANSFER_DUCKDB' },
    );
    return undefined;
  });
  return duckdb;
}

/** Temp directories of fast-path loads not yet removed (tests check failures leave none behind). */
export const liveTempDirs = new Set<string>();
/** Objects loaded through DuckDB and through the fallback so far (tests check which path a file took). */
export const duckdbCopyCounts = { fast: 0, fallback: 0 };

const TAIL_BYTES = 64 * 1024;
const RANGE_BYTES = 16 * 1024 * 1024;

/** A file DuckDB has rendered as COPY text (in a temp file), ready to go to PostgreSQL. */
export interface RenderedParquet {
  rows: number;
  /** Hands the COPY text to `write` in chunks, then removes the temp files. */
  writeTo(write: (chunk: Buffer) => Promise<void>, signal: AbortSignal): Promise<void>;
  /** Removes the temp files (idempotent; after writeTo, or when the statement fails first). */
  dispose(): Promise<void>;
}

/**
 * COPY PARQUET's fast path: DuckDB decodes the object into PostgreSQL COPY text lines in a temp
 * file. The object comes from the local S3 in ranged GETs into a temp file: the footer first
 * (DuckDB reads the schema from it, the rest of the file still a hole), so a file without a fast
 * path costs one small read; then the row groups. Undefined when the file must go through the
 * hyparquet path instead (a column type without a fast path, a value needing the converter,
 * anything DuckDB cannot read): nothing reaches PostgreSQL before the whole file is rendered.
 */
export async function renderParquetWithDuckdb(
  size: number,
  read: RangeReader,
  cols: TargetColumn[],
  st: CopyStatement,
  signal: AbortSignal,
  tempRoot: string = tmpdir(),
): Promise<RenderedParquet | undefined> {
  if (size < 12) return undefined;
  const api = await loadDuckdb();
  if (!api) return undefined;
  const dir = await mkdtemp(join(tempRoot, 'rt-copy-parquet-'));
  liveTempDirs.add(dir);
  const dispose = async () => {
    await rm(dir, { recursive: true, force: true });
    liveTempDirs.delete(dir);
  };
  try {
    const parquet = join(dir, 'object.parquet');
    const out = join(dir, 'rows.txt');
    const fh = await open(parquet, 'w');
    let rows: number | undefined;
    try {
      // Anything DuckDB cannot read or render the same way: the hyparquet path decides.
      rows = await renderFile(api, fh, parquet, out, size, read, cols, st, signal);
    } finally {
      await fh.close().catch(() => undefined);
    }
    if (rows === undefined) {
      duckdbCopyCounts.fallback++;
      await dispose();
      return undefined;
    }
    await rm(parquet, { force: true });
    return {
      rows,
      dispose,
      writeTo: async (write, sig) => {
        try {
          for await (const chunk of createReadStream(out, { highWaterMark: 512 * 1024, signal: sig }))
            await write(chunk as Buffer);
          duckdbCopyCounts.fast++;
        } finally {
          await dispose();
        }
      },
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function renderFile(
  api: DuckdbModule,
  fh: FileHandle,
  parquet: string,
  out: string,
  size: number,
  read: RangeReader,
  cols: TargetColumn[],
  st: CopyStatement,
  signal: AbortSignal,
): Promise<number | undefined> {
  let tailStart = Math.max(0, size - TAIL_BYTES);
  let tail = Buffer.from(await read(tailStart, size));
  if (tail.toString('latin1', tail.length - 4) !== 'PAR1') return undefined;
  const footer = tail.readUInt32LE(tail.length - 8) + 8;
  if (footer > size - 4) return undefined;
  if (footer > tail.length) {
    tailStart = size - footer;
    tail = Buffer.from(await read(tailStart, size));
  }
  await fh.truncate(size);
  await fh.write(tail, 0, tail.length, tailStart);
  // One in-memory instance per object, one thread (the stack shares the machine): closed below.
  const instance = await api.DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const conn = await instance.connect();
    try {
      const sql = await copyTextSql(conn, parquet, out, cols, st).catch(() => undefined);
      if (sql === undefined) return undefined;
      for (let at = 0; at < tailStart; at += RANGE_BYTES) {
        if (signal.aborted) return undefined;
        const bytes = Buffer.from(await read(at, Math.min(tailStart, at + RANGE_BYTES)));
        await fh.write(bytes, 0, bytes.length, at);
      }
      // A value the converter must see, or a file DuckDB reads differently: hyparquet decides.
      return await conn.run(sql).then(
        (r) => r.rowsChanged,
        () => undefined,
      );
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** The file's columns as DuckDB reads them (from the footer alone), and the COPY TO rendering them. */
async function copyTextSql(
  conn: import('@duckdb/node-api').DuckDBConnection,
  parquet: string,
  out: string,
  cols: TargetColumn[],
  st: CopyStatement,
): Promise<string | undefined> {
  const file = `'${parquet.replace(/'/g, "''")}'`;
  const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${file})`);
  const leaves = await conn.runAndReadAll(
    `SELECT name, type FROM parquet_schema(${file}) WHERE num_children IS NULL OR num_children = 0`,
  );
  const physical = new Map<string, string>();
  for (const [name, type] of leaves.getRowsJS()) physical.set(String(name), String(type));
  const sources: DuckdbSourceColumn[] = described.getRowsJS().map(([name, type]) => ({
    name: String(name),
    type: String(type),
    physical: physical.get(String(name)) ?? '',
  }));
  return duckdbCopyTextSql(parquet, out, sources, cols, st);
}
