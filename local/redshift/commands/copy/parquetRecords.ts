import type { AsyncBuffer, FileMetaData, SchemaElement } from 'hyparquet';
import { parquetMetadataAsync, parquetRead } from 'hyparquet';
import { PARQUET_COMPRESSORS } from './parquetCompressors.ts';
import type { TargetColumn } from './targetColumns.ts';

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

/** The last day converted: rows of a file are often in time order, so neighbours share a date. */
let lastDays = Number.NaN;
let lastDate = '';

function cachedCivil(days: number): string {
  if (days !== lastDays) {
    lastDate = civil(days);
    lastDays = days;
  }
  return lastDate;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function microsToText(micros: bigint): string {
  // Within 2^53 (285 years around 1970) plain doubles are exact: no BigInt division per value.
  if (micros <= MAX_SAFE && micros >= -MAX_SAFE) {
    const m = Number(micros);
    const s = Math.floor(m / 1000000);
    const frac = m - s * 1000000;
    const days = Math.floor(s / 86400);
    const sod = s - days * 86400;
    const base = `${cachedCivil(days)} ${pad(Math.floor(sod / 3600))}:${pad(Math.floor(sod / 60) % 60)}:${pad(sod % 60)}`;
    return frac === 0 ? base : `${base}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
  }
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
  dateFromDays: cachedCivil,
};

/** Parquet value (as hyparquet decodes it) -> field text. */
export function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  // Binary (VARBYTE; bytea here): PostgreSQL's hex input form.
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
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

/** TIME of day from its unit count since midnight (hyparquet hands TIME over as the raw integer). */
export function timeText(v: number | bigint, unit: 'MILLIS' | 'MICROS' | 'NANOS'): string {
  const micros = unit === 'MILLIS' ? BigInt(v) * 1000n : unit === 'MICROS' ? BigInt(v) : BigInt(v) / 1000n;
  const secs = Number(micros / 1000000n);
  const frac = Number(micros % 1000000n);
  const base = `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`;
  return frac === 0 ? base : `${base}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

function timeUnit(e: SchemaElement): 'MILLIS' | 'MICROS' | 'NANOS' | undefined {
  if (e.logical_type?.type === 'TIME') return e.logical_type.unit;
  if (e.converted_type === 'TIME_MILLIS') return 'MILLIS';
  if (e.converted_type === 'TIME_MICROS') return 'MICROS';
  return undefined;
}

/** A top-level column of the file: its schema element and, for a flat column, its leaf. */
export interface ParquetColumn {
  name: string;
  element: SchemaElement;
  /** True for a group (struct, list, map): it loads into SUPER as JSON. */
  nested: boolean;
}

/** The top-level columns of a file, in order (Parquet columns map to table columns by position). */
export function topLevelColumns(metadata: FileMetaData): ParquetColumn[] {
  const schema = metadata.schema;
  const out: ParquetColumn[] = [];
  let i = 1;
  const skip = (at: number): number => {
    const e = schema[at] as SchemaElement;
    let next = at + 1;
    for (let c = 0; c < (e.num_children ?? 0); c++) next = skip(next);
    return next;
  };
  while (i < schema.length) {
    const e = schema[i] as SchemaElement;
    const nested = (e.num_children ?? 0) > 0;
    out.push({ name: e.name, element: e, nested });
    i = skip(i);
  }
  return out;
}

type LeafText = (v: unknown) => string | null;

/**
 * Metadata with DECIMAL annotations taken off top-level INT32/INT64/FIXED_LEN_BYTE_ARRAY columns,
 * so the reader hands over the physical values, and each column's text conversion.
 */
function plainColumns(metadata: FileMetaData): { metadata: FileMetaData; texts: LeafText[] } {
  const top = new Set(topLevelColumns(metadata).map((c) => c.element));
  const texts: LeafText[] = [];
  const schema = metadata.schema.map((e) => {
    if (!top.has(e)) return e;
    if ((e.num_children ?? 0) > 0) {
      texts.push(jsonText);
      return e;
    }
    const unit = timeUnit(e);
    if (unit !== undefined) {
      texts.push((v) => (v === null || v === undefined ? null : timeText(v as number | bigint, unit)));
      return e;
    }
    const raw =
      isDecimal(e) && (e.type === 'INT32' || e.type === 'INT64' || e.type === 'FIXED_LEN_BYTE_ARRAY');
    if (!raw) {
      texts.push(valueText);
      return e;
    }
    const scale = e.logical_type?.type === 'DECIMAL' ? e.logical_type.scale : (e.scale ?? 0);
    texts.push((v) =>
      v === null || v === undefined ? null : decimalText(v as number | bigint | Uint8Array, scale),
    );
    const { converted_type: _c, logical_type: _l, ...plain } = e;
    return plain;
  });
  return { metadata: { ...metadata, schema }, texts };
}

const rawJson = (JSON as { rawJSON?: (text: string) => unknown }).rawJSON;

/** A nested value (struct, list, map) as the JSON text SUPER takes; 64-bit integers stay exact. */
function jsonText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return rawJson ? rawJson(x.toString()) : Number(x);
    if (x instanceof Uint8Array) return Buffer.from(x).toString('hex');
    return x;
  });
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

/** A file that cannot be read: names the file and, when known, the column (Redshift's Spectrum wording). */
export class ParquetReadError extends Error {
  override readonly name = 'ParquetReadError';
}

function unsupportedCodec(metadata: FileMetaData, url: string): void {
  for (const [g, rg] of metadata.row_groups.entries()) {
    for (const chunk of rg.columns) {
      const codec = chunk.meta_data?.codec;
      if (codec !== undefined && codec !== 'UNCOMPRESSED' && !(codec in PARQUET_COMPRESSORS)) {
        throw new ParquetReadError(
          `Spectrum Scan Error: file ${url}, column "${chunk.meta_data?.path_in_schema.join('.')}" (row group ${g + 1}) uses the compression codec ${codec}, which cannot be read. Write the file with SNAPPY, ZSTD, GZIP, BROTLI, LZ4_RAW or no compression.`,
        );
      }
    }
  }
}

/**
 * The rows of a Parquet file, one row group at a time, read with ranged GETs (the footer, then
 * each row group's column chunks), so memory holds one row group, never the whole object. Values
 * stay in the reader's column arrays (no row objects) unless the file has nested columns, which
 * are assembled into JSON for SUPER. Throws when the column count differs from the load columns',
 * and names the file and column of anything it cannot decode.
 */
export async function* parquetBatches(
  byteLength: number,
  read: RangeReader,
  expectedColumns: number,
  url: string,
  target?: { cols: readonly TargetColumn[]; serializeToJson: boolean },
): AsyncGenerator<ParquetBatch> {
  // No caching reader: a cache would end up holding the whole object.
  const file: AsyncBuffer = { byteLength, slice: read };
  let footer: FileMetaData;
  try {
    footer = await parquetMetadataAsync(file);
  } catch (error) {
    throw new ParquetReadError(
      `Spectrum Scan Error: file ${url} is not a readable Parquet file: ${(error as Error).message}`,
    );
  }
  const { metadata, texts } = plainColumns(footer);
  if (texts.length !== expectedColumns)
    throw new ParquetReadError(
      `Spectrum Scan Error: file ${url} has ${texts.length} columns but the COPY loads ${expectedColumns}: Parquet columns map to table columns by position and their counts must match.`,
    );
  unsupportedCodec(metadata, url);
  const top = topLevelColumns(metadata);
  if (target !== undefined) nestedColumnsLoadable(top, target.cols, target.serializeToJson, url);
  const nested = top.some((c) => c.nested);
  const position = new Map(top.map((c, i) => [c.name, i]));
  let rowStart = 0;
  for (const [g, rg] of metadata.row_groups.entries()) {
    const rowCount = Number(rg.num_rows);
    const rowEnd = rowStart + rowCount;
    // utf8 false: only STRING/UTF8-annotated byte arrays are text; plain BINARY stays bytes (VARBYTE).
    const options = {
      file,
      metadata,
      rowStart,
      rowEnd,
      parsers: PARSERS,
      compressors: PARQUET_COMPRESSORS,
      utf8: false,
    };
    let columns: ArrayLike<unknown>[];
    try {
      if (nested) {
        // Nested columns need the reader's assembly; such files are read row by row.
        let rows: unknown[][] = [];
        await parquetRead({ ...options, onComplete: (r: unknown[][]) => (rows = r) });
        columns = top.map((_, i) => rows.map((row) => row[i]));
      } else {
        const parts: { start: number; data: ArrayLike<unknown> }[][] = top.map(() => []);
        await parquetRead({
          ...options,
          onChunk: ({ columnName, columnData, rowStart: start }) => {
            const i = position.get(columnName);
            if (i !== undefined) parts[i]?.push({ start, data: columnData });
          },
        });
        columns = parts.map((chunks) => {
          if (chunks.length === 1 && (chunks[0] as { start: number }).start === rowStart)
            return (chunks[0] as { data: ArrayLike<unknown> }).data;
          const all: unknown[] = new Array(rowCount).fill(null);
          for (const c of chunks)
            for (let k = 0; k < c.data.length; k++) all[c.start - rowStart + k] = c.data[k];
          return all;
        });
      }
    } catch (error) {
      throw await decodeError(error as Error, options, top, url, g);
    }
    yield {
      firstRow: rowStart + 1,
      rowCount,
      text: (r, i) => (texts[i] as LeafText)((columns[i] as ArrayLike<unknown>)[r]),
    };
    rowStart = rowEnd;
  }
}

/**
 * Nested columns (struct, list, map) load only into SUPER, and only with SERIALIZETOJSON
 * (ingest-super.html, "Copying data from columnar-format Parquet and ORC"): anything else fails
 * before a row is read, naming the file and column.
 */
export function nestedColumnsLoadable(
  top: readonly ParquetColumn[],
  cols: readonly TargetColumn[],
  serializeToJson: boolean,
  url: string,
): void {
  for (const [i, c] of top.entries()) {
    if (!c.nested) continue;
    const col = cols[i];
    if (col !== undefined && col.kind !== 'json')
      throw new ParquetReadError(
        `Spectrum Scan Error: file ${url}, column "${c.name}" is a nested Parquet column (struct, list or map), which loads only into a SUPER column, not into "${col.name}" ${col.typeName}.`,
      );
    if (!serializeToJson)
      throw new ParquetReadError(
        `Spectrum Scan Error: file ${url}, column "${c.name}" is a nested Parquet column (struct, list or map): COPY loads it into SUPER only with SERIALIZETOJSON (FORMAT PARQUET SERIALIZETOJSON).`,
      );
  }
}

/** The reader failed on a row group: decode column by column to name the one it cannot read. */
async function decodeError(
  error: Error,
  options: Parameters<typeof parquetRead>[0],
  top: ParquetColumn[],
  url: string,
  group: number,
): Promise<ParquetReadError> {
  for (const column of top) {
    try {
      await parquetRead({ ...options, columns: [column.name], onComplete: () => undefined });
    } catch (e) {
      return new ParquetReadError(
        `Spectrum Scan Error: file ${url}, column "${column.name}" (row group ${group + 1}) cannot be read: ${(e as Error).message}`,
      );
    }
  }
  return new ParquetReadError(
    `Spectrum Scan Error: file ${url} (row group ${group + 1}) cannot be read: ${error.message}`,
  );
}
