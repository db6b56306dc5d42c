import type { AsyncBuffer, FileMetaData, SchemaElement } from 'hyparquet';
import { parquetMetadataAsync, parquetRead } from 'hyparquet';

function pad(n: number, w = 2) {
  return String(n).padStart(w, '0');
}

/** Proleptic Gregorian civil date of a day number from 1970-01-01 (no Date object per value). */
function civil(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

function microsToText(micros: bigint): string {
  const secs = micros / 1000000n - (micros % 1000000n < 0n ? 1n : 0n);
  const frac = Number(micros - secs * 1000000n);
  const s = Number(secs);
  const days = Math.floor(s / 86400);
  const sod = s - days * 86400;
  const base = `${civil(days)} ${pad(Math.floor(sod / 3600))}:${pad(Math.floor(sod / 60) % 60)}:${pad(sod % 60)}`;
  return frac === 0 ? base : `${base}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => microsToText(v * 1000n),
  timestampFromMicroseconds: (v: bigint) => microsToText(v),
  timestampFromNanoseconds: (v: bigint) => microsToText(v / 1000n),
  dateFromDays: civil,
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
  let small: number | undefined;
  if (typeof v === 'number') small = v;
  else if (typeof v === 'bigint') {
    if (v >= -9007199254740991n && v <= 9007199254740991n) small = Number(v);
  } else if (v.length > 0 && v.length <= 6) {
    // Up to 48 bits: exact in a double, no BigInt per value.
    let x = 0;
    for (let i = 0; i < v.length; i++) x = x * 256 + (v[i] as number);
    small = (v[0] as number) >= 0x80 ? x - 2 ** (8 * v.length) : x;
  } else if (v.length === 0) small = 0;
  let neg: boolean;
  let digits: string;
  if (small !== undefined) {
    neg = small < 0;
    digits = String(neg ? -small : small);
  } else {
    let unscaled: bigint;
    if (v instanceof Uint8Array) {
      unscaled = 0n;
      for (const byte of v) unscaled = (unscaled << 8n) | BigInt(byte);
      unscaled = BigInt.asIntN(8 * v.length, unscaled);
    } else unscaled = v as bigint;
    neg = unscaled < 0n;
    digits = (neg ? -unscaled : unscaled).toString();
  }
  if (scale <= 0) return `${neg ? '-' : ''}${digits}${'0'.repeat(-scale)}`;
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, '0');
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

/** One row group: `text(r, i)` is the text of column i (by position) of row r, null for NULL. */
export interface ParquetBatch {
  /** Row number (1-based) of the first row in the file. */
  firstRow: number;
  rowCount: number;
  text(row: number, column: number): string | null;
}

/**
 * The rows of a Parquet file, one row group at a time, read with ranged GETs (the footer, then
 * each row group's column chunks), so memory holds one row group, never the whole object. Values
 * stay in the reader's column arrays (no row objects). Throws when the column count differs from
 * the load columns'.
 */
export async function* parquetBatches(
  byteLength: number,
  read: RangeReader,
  expectedColumns: number,
  url: string,
): AsyncGenerator<ParquetBatch> {
  // No caching reader: a cache would end up holding the whole object.
  const file: AsyncBuffer = { byteLength, slice: read };
  const { metadata, scales } = rawDecimals(await parquetMetadataAsync(file));
  if (scales.length !== expectedColumns)
    throw new Error(
      `Spectrum Scan Error: file ${url} has ${scales.length} columns but the COPY loads ${expectedColumns}: Parquet columns map to table columns by position and their counts must match.`,
    );
  const leaves = metadata.schema.filter((e) => e.num_children === undefined || e.num_children === 0);
  const position = new Map(leaves.map((e, i) => [e.name, i]));
  let rowStart = 0;
  for (const rg of metadata.row_groups) {
    const rowCount = Number(rg.num_rows);
    const rowEnd = rowStart + rowCount;
    const parts: { start: number; data: ArrayLike<unknown> }[][] = leaves.map(() => []);
    await parquetRead({
      file,
      metadata,
      rowStart,
      rowEnd,
      parsers: PARSERS,
      onChunk: ({ columnName, columnData, rowStart: start }) => {
        const i = position.get(columnName);
        if (i !== undefined) parts[i]?.push({ start, data: columnData });
      },
    });
    const columns = parts.map((chunks) => {
      if (chunks.length === 1 && (chunks[0] as { start: number }).start === rowStart)
        return (chunks[0] as { data: ArrayLike<unknown> }).data;
      const all: unknown[] = new Array(rowCount).fill(null);
      for (const c of chunks) for (let k = 0; k < c.data.length; k++) all[c.start - rowStart + k] = c.data[k];
      return all;
    });
    yield {
      firstRow: rowStart + 1,
      rowCount,
      text: (r, i) => {
        const v = (columns[i] as ArrayLike<unknown>)[r];
        const scale = scales[i];
        return scale !== undefined && v !== null && v !== undefined
          ? decimalText(v as number | bigint | Uint8Array, scale)
          : valueText(v);
      },
    };
    rowStart = rowEnd;
  }
}
