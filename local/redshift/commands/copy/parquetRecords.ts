import { parquetMetadata, parquetRead } from 'hyparquet';
import type { SourceRecord } from './recordReaders.ts';

function pad(n: number, w = 2) {
  return String(n).padStart(w, '0');
}

function microsToText(micros: bigint): string {
  const ms = Number(micros / 1000n);
  const d = new Date(ms);
  const frac = ((micros % 1000000n) + 1000000n) % 1000000n;
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return frac === 0n ? base : `${base}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => microsToText(v * 1000n),
  timestampFromMicroseconds: (v: bigint) => microsToText(v),
  timestampFromNanoseconds: (v: bigint) => microsToText(v / 1000n),
  dateFromDays: (days: number) => {
    const d = new Date(days * 86400000);
    return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  },
};

function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v instanceof Date) return microsToText(BigInt(v.getTime()) * 1000n);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/**
 * The rows of a Parquet file, one row group at a time, as text fields by column position (COPY
 * maps Parquet columns to the table by position). Throws when the column count differs.
 */
export async function* parquetRecords(
  file: ArrayBuffer,
  expectedColumns: number,
  url: string,
): AsyncGenerator<SourceRecord[]> {
  const metadata = parquetMetadata(file);
  const leafCount = metadata.schema.filter(
    (s) => s.num_children === undefined || s.num_children === 0,
  ).length;
  if (leafCount !== expectedColumns)
    throw new Error(
      `Spectrum Scan Error: file ${url} has ${leafCount} columns but the COPY loads ${expectedColumns}: Parquet columns map to table columns by position and their counts must match.`,
    );
  let rowStart = 0;
  for (const rg of metadata.row_groups) {
    const rowEnd = rowStart + Number(rg.num_rows);
    const rows = await new Promise<unknown[][]>((resolve, reject) => {
      parquetRead({ file, metadata, rowStart, rowEnd, parsers: PARSERS, onComplete: resolve }).catch(reject);
    });
    const start = rowStart;
    yield rows.map((r, i) => ({ line: start + i + 1, raw: '', fields: r.map(valueText) }));
    rowStart = rowEnd;
  }
}
