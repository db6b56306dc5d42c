import type { AsyncBuffer, FileMetaData, SchemaElement } from 'hyparquet';
import { cachedAsyncBuffer, parquetMetadataAsync, parquetRead } from 'hyparquet';

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

/** Parquet value (as hyparquet decodes it) -> field text. */
export function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v instanceof Date) return microsToText(BigInt(v.getTime()) * 1000n);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/**
 * Exact text of a Parquet DECIMAL from its physical value: INT32/INT64 unscaled integers or
 * big-endian two's complement bytes (hyparquet's own conversion goes through a JS number).
 */
export function decimalText(v: number | bigint | Uint8Array, scale: number): string {
  let unscaled: bigint;
  if (v instanceof Uint8Array) {
    unscaled = 0n;
    for (const byte of v) unscaled = (unscaled << 8n) | BigInt(byte);
    if (v.length > 0) unscaled = BigInt.asIntN(8 * v.length, unscaled);
  } else unscaled = BigInt(v);
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString();
  if (scale <= 0) return `${neg ? '-' : ''}${digits}${'0'.repeat(-scale)}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

function isDecimal(e: SchemaElement): boolean {
  return e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';
}

/**
 * Metadata with DECIMAL annotations taken off INT32/INT64/FIXED_LEN_BYTE_ARRAY leaves, so the
 * reader hands over the physical values; returns the scale of each leaf that had one (by leaf index).
 */
function rawDecimals(metadata: FileMetaData): { metadata: FileMetaData; scales: (number | undefined)[] } {
  const scales: (number | undefined)[] = [];
  const schema = metadata.schema.map((e) => {
    if (e.num_children !== undefined && e.num_children > 0) return e;
    const raw =
      isDecimal(e) && (e.type === 'INT32' || e.type === 'INT64' || e.type === 'FIXED_LEN_BYTE_ARRAY');
    const scale = e.logical_type?.type === 'DECIMAL' ? e.logical_type.scale : (e.scale ?? 0);
    scales.push(raw ? scale : undefined);
    if (!raw) return e;
    const { converted_type: _c, logical_type: _l, ...plain } = e;
    return plain;
  });
  return { metadata: { ...metadata, schema }, scales };
}

/** An AsyncBuffer over ranged reads of one object (ranges are [start, end)). */
export type RangeReader = (start: number, end: number) => Promise<ArrayBuffer>;

/** One row group's rows: field texts by column position (COPY maps Parquet columns by position). */
export interface ParquetBatch {
  /** Row number (1-based) of the first row in the file. */
  firstRow: number;
  rows: (string | null)[][];
}

/**
 * The rows of a Parquet file, one row group at a time, read with ranged GETs (the footer, then
 * each row group's column chunks), so memory holds one row group, never the whole object.
 * Throws when the column count differs from the load columns'.
 */
export async function* parquetBatches(
  byteLength: number,
  read: RangeReader,
  expectedColumns: number,
  url: string,
): AsyncGenerator<ParquetBatch> {
  const file: AsyncBuffer = cachedAsyncBuffer({ byteLength, slice: read });
  const { metadata, scales } = rawDecimals(await parquetMetadataAsync(file));
  if (scales.length !== expectedColumns)
    throw new Error(
      `Spectrum Scan Error: file ${url} has ${scales.length} columns but the COPY loads ${expectedColumns}: Parquet columns map to table columns by position and their counts must match.`,
    );
  let rowStart = 0;
  for (const rg of metadata.row_groups) {
    const rowEnd = rowStart + Number(rg.num_rows);
    const rows = await new Promise<unknown[][]>((resolve, reject) => {
      parquetRead({ file, metadata, rowStart, rowEnd, parsers: PARSERS, onComplete: resolve }).catch(reject);
    });
    const out: (string | null)[][] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as unknown[];
      const fields: (string | null)[] = new Array(row.length);
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        const scale = scales[i];
        fields[i] =
          scale !== undefined && v !== null && v !== undefined
            ? decimalText(v as number | bigint | Uint8Array, scale)
            : valueText(v);
      }
      out[r] = fields;
    }
    yield { firstRow: rowStart + 1, rows: out };
    rowStart = rowEnd;
  }
}
