import type { ColumnChunk, FileMetaData, RowGroup, SchemaElement } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import type { ResultColumn } from './columns.ts';
import type { Row } from './copyTextRows.ts';
import { buildDictionary, type DictionaryKind, encodeIndices, indicesSize } from './parquetDictionary.ts';
import { type ChunkStatistics, chunkStatistics, fixedBounds, statisticsBound } from './parquetStatistics.ts';
import { snappyCompress } from './snappyCompress.ts';

/**
 * UNLOAD ... PARQUET: each column is encoded straight into a byte buffer (PLAIN values, turned
 * into a dictionary page and indices where that pays; min/max/null_count statistics per chunk;
 * RLE/bit-packed definition levels), one data page per column per row group, Snappy as Redshift
 * does; a finished row group goes to the OutputFile, so memory is bounded by one row group.
 * Values come either as PostgreSQL binary COPY fields (the fast path: no text, no JS value per
 * field) or as text (PARTITION BY, which needs the text for the folder names).
 */

/** How a result column is stored. */
export type ParquetKind =
  | 'bool'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float'
  | 'double'
  | 'decimal'
  | 'date'
  | 'timestamp'
  | 'bytes';

/** Whether PostgreSQL's binary form of the column is read as it is (else the query casts it to text). */
export function binaryReadable(c: ResultColumn): boolean {
  return parquetKind(c) !== 'bytes' || TEXT_OIDS.has(c.typeOid);
}

// Binary send of these is the text itself (bpchar keeps its padding, as its text output does).
const TEXT_OIDS = new Set([25, 1043, 1042, 19]);

export function parquetKind(c: ResultColumn): ParquetKind {
  switch (c.typeOid) {
    case 16:
      return 'bool';
    case 21:
      return 'int16';
    case 23:
      return 'int32';
    case 20:
      return 'int64';
    case 700:
      return 'float';
    case 701:
      return 'double';
    case 1700:
      return c.typmod >= 4 ? 'decimal' : 'bytes';
    case 1082:
      return 'date';
    case 1114:
    case 1184:
      return 'timestamp';
    default:
      return 'bytes';
  }
}

function decimalLength(precision: number): number {
  let bytes = 1;
  while (2 ** (8 * bytes - 1) <= 10 ** precision) bytes++;
  return bytes;
}

function schemaElement(c: ResultColumn, kind: ParquetKind): SchemaElement {
  const base = { name: c.name, repetition_type: 'OPTIONAL' as const };
  switch (kind) {
    case 'bool':
      return { ...base, type: 'BOOLEAN' };
    case 'int16':
      return { ...base, type: 'INT32', converted_type: 'INT_16' };
    case 'int32':
      return { ...base, type: 'INT32' };
    case 'int64':
      return { ...base, type: 'INT64' };
    case 'float':
      return { ...base, type: 'FLOAT' };
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'decimal': {
      const precision = ((c.typmod - 4) >> 16) & 0xffff;
      const scale = (c.typmod - 4) & 0xffff;
      return {
        ...base,
        type: 'FIXED_LEN_BYTE_ARRAY',
        type_length: decimalLength(precision),
        converted_type: 'DECIMAL',
        precision,
        scale,
      };
    }
    case 'date':
      return { ...base, type: 'INT32', converted_type: 'DATE' };
    case 'timestamp':
      return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MICROS' };
    default:
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
  }
}

/** Days from 1970-01-01 to 2000-01-01 (PostgreSQL's binary epoch). */
const PG_EPOCH_DAYS = 10957;
/** Microseconds from 1970 to 2000, as two 32-bit halves. */
const PG_EPOCH_MICROS = 946684800000000;
/** PG_EPOCH_MICROS as 16-bit limbs, least significant first. */
const EPOCH_LIMBS = [0, 1, 2, 3].map((k) => Math.floor(PG_EPOCH_MICROS / 2 ** (16 * k)) % 65536);

/** Whether the 8 bytes at `s` are PostgreSQL's +infinity or -infinity timestamp. */
function isInfinity(b: Buffer, s: number): boolean {
  const rest = b[s] === 0x7f ? 0xff : 0;
  for (let i = 1; i < 8; i++) if (b[s + i] !== rest) return false;
  return true;
}

/** Epoch microseconds of `YYYY-MM-DD HH:MI:SS[.ffffff][+zz[:mm]]` (zone applied, then dropped). */
export function timestampMicros(v: string): bigint {
  const m =
    /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-]\d\d(?::?\d\d)?(?::?\d\d)?)?( BC)?$/.exec(
      v,
    );
  if (!m) throw new Error(`cannot convert timestamp '${v}' to Parquet`);
  let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (m[8]) {
    const z = /^([+-])(\d\d):?(\d\d)?/.exec(m[8]);
    if (z) ms -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60000;
  }
  return BigInt(ms) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0'));
}

/** 10^0..10^22, exact doubles. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Unscaled integer of a decimal text, cut (not rounded) to `scale` digits. */
function unscaledText(v: string, scale: number): bigint {
  const neg = v.startsWith('-');
  const [int = '0', frac = ''] = (neg ? v.slice(1) : v).split('.');
  const digits = BigInt(int + frac.padEnd(scale, '0').slice(0, scale));
  return neg ? -digits : digits;
}

/** One column's values for the open row group, already in Parquet PLAIN bytes. */
class ColumnBuffer {
  values = Buffer.allocUnsafe(64 * 1024);
  len = 0;
  /** One byte per row: 1 = value present. */
  defs = new Uint8Array(1024);
  rows = 0;
  nulls = 0;
  readonly element: SchemaElement;
  private readonly width: number;
  private readonly scale: number;
  /** Strings, the most common column: tested before the switch on the kind. */
  private readonly isBytes: boolean;

  constructor(
    readonly column: ResultColumn,
    readonly kind: ParquetKind,
  ) {
    this.element = schemaElement(column, kind);
    this.width = this.element.type_length ?? 0;
    this.scale = this.element.scale ?? 0;
    this.isBytes = kind === 'bytes';
  }

  private room(n: number): void {
    if (this.len + n <= this.values.length) return;
    let size = this.values.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.values.copy(next, 0, 0, this.len);
    this.values = next;
  }

  private def(present: boolean): void {
    if (this.rows >= this.defs.length) {
      const next = new Uint8Array(this.defs.length * 2);
      next.set(this.defs);
      this.defs = next;
    }
    this.defs[this.rows++] = present ? 1 : 0;
    if (!present) this.nulls++;
  }

  addNull(): void {
    this.def(false);
  }

  /** A PostgreSQL binary COPY field `b[s, s + n)` (n >= 0). */
  addBinary(b: Buffer, s: number, n: number): void {
    this.def(true);
    if (this.isBytes) {
      this.room(4 + n);
      const values = this.values;
      const o = this.len;
      values.writeUInt32LE(n, o);
      // Short values byte by byte: Buffer#copy makes a view object per call.
      if (n > 64) b.copy(values, o + 4, s, s + n);
      else for (let i = 0; i < n; i++) values[o + 4 + i] = b[s + i] as number;
      this.len = o + 4 + n;
      return;
    }
    switch (this.kind) {
      case 'bool':
        this.room(1);
        this.values[this.len++] = b[s] === 0 ? 0 : 1;
        return;
      case 'int16':
        this.room(4);
        this.values.writeInt32LE(b.readInt16BE(s), this.len);
        this.len += 4;
        return;
      case 'int32':
        this.room(4);
        this.values.writeInt32LE(b.readInt32BE(s), this.len);
        this.len += 4;
        return;
      case 'date': {
        const days = b.readInt32BE(s);
        if (days === 0x7fffffff || days === -0x80000000)
          throw new Error(
            `cannot convert date '${days > 0 ? '' : '-'}infinity' of column "${this.column.name}" to Parquet`,
          );
        this.room(4);
        this.values.writeInt32LE(days + PG_EPOCH_DAYS, this.len);
        this.len += 4;
        return;
      }
      case 'int64':
      case 'float':
      case 'double': {
        this.room(n);
        // Big-endian to little-endian.
        for (let i = 0; i < n; i++) this.values[this.len + i] = b[s + n - 1 - i] as number;
        this.len += n;
        return;
      }
      case 'timestamp': {
        if ((b[s] === 0x7f || b[s] === 0x80) && isInfinity(b, s))
          throw new Error(`cannot convert timestamp 'infinity' of column "${this.column.name}" to Parquet`);
        // Big-endian microseconds since 2000 + the 1970 offset, little-endian out, in 16-bit steps
        // (two's complement, so negative values too): no number ever leaves the small-integer range.
        this.room(8);
        const values = this.values;
        const o = this.len;
        let carry = 0;
        for (let k = 0; k < 4; k++) {
          const p = s + 6 - 2 * k;
          const sum = (((b[p] as number) << 8) | (b[p + 1] as number)) + (EPOCH_LIMBS[k] as number) + carry;
          values[o + 2 * k] = sum & 0xff;
          values[o + 2 * k + 1] = (sum >> 8) & 0xff;
          carry = sum >> 16;
        }
        this.len += 8;
        return;
      }
      case 'decimal':
        this.addDecimalBinary(b, s);
        return;
    }
  }

  /** PostgreSQL binary numeric (base-10000 digits) -> big-endian two's complement of the unscaled value. */
  private addDecimalBinary(b: Buffer, s: number): void {
    const ndigits = b.readInt16BE(s);
    const weight = b.readInt16BE(s + 2);
    const sign = b.readUInt16BE(s + 4);
    if (sign !== 0 && sign !== 0x4000)
      throw new Error(`cannot convert numeric NaN or infinity of column "${this.column.name}" to Parquet`);
    const precision = this.element.precision ?? 38;
    this.room(this.width);
    if (precision <= 15) {
      // Exact in a double: every partial sum is an integer below 10^15.
      let v = 0;
      for (let i = 0, d = s + 8; i < ndigits; i++, d += 2) {
        const e = 4 * (weight - i) + this.scale;
        if (e < -3) break;
        const digit = ((b[d] as number) << 8) | (b[d + 1] as number); // 0..9999
        if (e >= 0) v += digit * (POW10[e] as number);
        else v += Math.floor(digit / (POW10[-e] as number));
      }
      if (sign === 0x4000) v = -v;
      // Two's complement as two 32-bit words (|v| < 2^53), big-endian, the low `width` bytes.
      const hi = Math.floor(v / 4294967296);
      let lo = v - hi * 4294967296;
      const values = this.values;
      let o = this.len + this.width - 1;
      for (let i = 0; i < 4 && o >= this.len; i++, o--) {
        values[o] = lo & 0xff;
        lo >>>= 8;
      }
      let h = hi;
      for (; o >= this.len; o--) {
        values[o] = h & 0xff;
        h >>= 8;
      }
    } else {
      let v = 0n;
      for (let i = 0; i < ndigits; i++) {
        const e = 4 * (weight - i) + this.scale;
        const d = BigInt(b.readInt16BE(s + 8 + 2 * i));
        if (e >= 0) v += d * 10n ** BigInt(e);
        else if (e > -4) v += d / 10n ** BigInt(-e);
      }
      if (sign === 0x4000) v = -v;
      this.writeBigDecimal(v);
      return;
    }
    this.len += this.width;
  }

  private writeBigDecimal(v: bigint): void {
    let x = BigInt.asUintN(8 * this.width, v);
    for (let i = this.width - 1; i >= 0; i--) {
      this.values[this.len + i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.len += this.width;
  }

  /** A value as PostgreSQL's text output (the PARTITION BY path). */
  addText(v: string): void {
    switch (this.kind) {
      case 'bool':
        this.def(true);
        this.room(1);
        this.values[this.len++] = v === 't' ? 1 : 0;
        return;
      case 'int16':
      case 'int32':
        this.def(true);
        this.room(4);
        this.values.writeInt32LE(Number(v), this.len);
        this.len += 4;
        return;
      case 'int64':
        this.def(true);
        this.room(8);
        this.values.writeBigInt64LE(BigInt(v), this.len);
        this.len += 8;
        return;
      case 'float':
        this.def(true);
        this.room(4);
        this.values.writeFloatLE(Number(v), this.len);
        this.len += 4;
        return;
      case 'double':
        this.def(true);
        this.room(8);
        this.values.writeDoubleLE(Number(v), this.len);
        this.len += 8;
        return;
      case 'date':
        this.def(true);
        this.room(4);
        this.values.writeInt32LE(Math.floor(Date.parse(`${v}T00:00:00Z`) / 86400000), this.len);
        this.len += 4;
        return;
      case 'timestamp': {
        const micros = timestampMicros(v);
        this.def(true);
        this.room(8);
        this.values.writeBigInt64LE(micros, this.len);
        this.len += 8;
        return;
      }
      case 'decimal':
        this.def(true);
        this.room(this.width);
        this.writeBigDecimal(unscaledText(v, this.scale));
        return;
      default: {
        const n = Buffer.byteLength(v);
        this.def(true);
        this.room(4 + n);
        this.values.writeUInt32LE(n, this.len);
        this.values.write(v, this.len + 4);
        this.len += 4 + n;
      }
    }
  }

  /**
   * The open row group's pages (v1, Snappy): a dictionary page and a page of indices when the
   * dictionary pays and keeps within the PLAIN page's size bound (which MAXFILESIZE counts on),
   * else one PLAIN page; with the chunk's statistics. Resets the buffer.
   */
  pages(): ColumnPages {
    const levels = definitionLevels(this.defs, this.rows, this.nulls);
    const plain = this.values.subarray(0, this.len);
    const dictKind = dictionaryKind(this.kind);
    const built = dictKind ? buildDictionary(plain, this.len, this.rows - this.nulls, dictKind) : undefined;
    // Byte-array bounds come with the dictionary (compared once per distinct value).
    const bounds =
      this.kind === 'bytes' ? built?.bounds : fixedBounds(plain, this.len, this.kind, this.width);
    const statistics = chunkStatistics(plain, bounds, this.nulls, this.element, this.kind);
    const dict = built?.dictionary;
    let result: ColumnPages;
    const plainRaw = 4 + levels.length + (this.kind === 'bool' ? Math.ceil(this.len / 8) : this.len);
    if (
      dict !== undefined &&
      pageBound(dict.values.length) +
        pageBound(4 + levels.length + indicesSize(dict.indices.length, dict.count)) <=
        pageBound(plainRaw)
    ) {
      const dictBody = snappyCompress(dict.values);
      const dictHeader = new ByteWriter(64);
      writePageHeader(dictHeader, {
        type: 'DICTIONARY_PAGE',
        uncompressed_page_size: dict.values.length,
        compressed_page_size: dictBody.length,
        dictionary_page_header: { num_values: dict.count, encoding: 'PLAIN_DICTIONARY' },
      });
      const data = this.dataPage(levels, encodeIndices(dict.indices, dict.count), 'PLAIN_DICTIONARY');
      result = {
        dictionary: { header: dictHeader.getBytes(), body: dictBody },
        ...data,
        uncompressed: data.uncompressed + dictHeader.offset + dict.values.length,
        statistics,
        encodings: ['PLAIN_DICTIONARY', 'RLE'],
      };
    } else {
      const values = this.kind === 'bool' ? packBits(plain) : plain;
      result = { ...this.dataPage(levels, values, 'PLAIN'), statistics, encodings: ['PLAIN', 'RLE'] };
    }
    this.len = 0;
    this.rows = 0;
    this.nulls = 0;
    return result;
  }

  private dataPage(
    levels: Uint8Array,
    values: Uint8Array,
    encoding: 'PLAIN' | 'PLAIN_DICTIONARY',
  ): { header: Uint8Array; body: Uint8Array; uncompressed: number } {
    const raw = new Uint8Array(4 + levels.length + values.length);
    new DataView(raw.buffer).setUint32(0, levels.length, true);
    raw.set(levels, 4);
    raw.set(values, 4 + levels.length);
    const body = snappyCompress(raw);
    const header = new ByteWriter(64);
    writePageHeader(header, {
      type: 'DATA_PAGE',
      uncompressed_page_size: raw.length,
      compressed_page_size: body.length,
      data_page_header: {
        num_values: this.rows,
        encoding,
        definition_level_encoding: 'RLE',
        repetition_level_encoding: 'RLE',
      },
    });
    return { header: header.getBytes(), body, uncompressed: header.offset + raw.length };
  }
}

/** A column chunk's encoded pages, ready for the file. */
interface ColumnPages {
  dictionary?: { header: Uint8Array; body: Uint8Array };
  header: Uint8Array;
  body: Uint8Array;
  uncompressed: number;
  statistics: ChunkStatistics;
  encodings: ('PLAIN' | 'PLAIN_DICTIONARY' | 'RLE')[];
}

function dictionaryKind(kind: ParquetKind): DictionaryKind | undefined {
  if (kind === 'bytes') return 'bytes';
  if (kind === 'int16' || kind === 'int32' || kind === 'date') return 'int32';
  return undefined;
}

function varint(n: number, out: number[]): void {
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** RLE/bit-packed hybrid, bit width 1: one RLE run when nothing is NULL, else bit-packed groups. */
function definitionLevels(defs: Uint8Array, rows: number, nulls: number): Uint8Array {
  const head: number[] = [];
  if (nulls === 0) {
    varint(rows * 2, head);
    head.push(1);
    return Uint8Array.from(head);
  }
  const groups = Math.ceil(rows / 8);
  varint((groups << 1) | 1, head);
  const out = new Uint8Array(head.length + groups);
  out.set(head);
  for (let i = 0; i < rows; i++) {
    const k = head.length + (i >> 3);
    if (defs[i]) out[k] = (out[k] as number) | (1 << (i & 7));
  }
  return out;
}

function packBits(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 8));
  for (let i = 0; i < bytes.length; i++) if (bytes[i]) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  return out;
}

const MAX_GROUP_ROWS = 65536;

/** Bytes a data page can take at most for `raw` bytes of levels and values (header, Snappy's worst case). */
function pageBound(raw: number): number {
  return 64 + 32 + raw + Math.ceil(raw / 6);
}

/** What one more row group adds to the footer at most: its RowGroup and one ColumnChunk per column. */
function rowGroupFooterBound(columns: ColumnBuffer[]): number {
  let n = 64;
  // Statistics, a dictionary page offset and one more encoding per column at most.
  for (const c of columns) n += 128 + 2 * Buffer.byteLength(c.element.name) + statisticsBound(c.element) + 16;
  return n;
}

/** Where a Parquet file's bytes go: an OutputFile, or the parent thread from the UNLOAD worker. */
export interface ParquetOut {
  /** Rows in the file: the manifest's record_count. */
  records: number;
  write(chunk: Buffer): Promise<void>;
}

/** A Parquet file written incrementally, one row group at a time. */
export class ParquetFileWriter {
  private readonly columns: ColumnBuffer[];
  private readonly rowGroups: RowGroup[] = [];
  /** Bytes of the file so far (written or pending), 'PAR1' included. */
  private offset = 0;
  private groupRows = 0;
  private totalRows = 0;
  private started = false;
  /** Encoded row groups not yet handed to the OutputFile. */
  private pending: Buffer[] = [];
  /** The footer's exact size for the row groups so far, and a bound of what one more group adds. */
  private footerBytes: number;
  private readonly groupFooterBound: number;
  private readonly marks: { len: number; rows: number; nulls: number }[];
  /** At least the open group's value bytes (every column's `len`): what quickBound counts. */
  private lenBound = 0;

  constructor(
    resultColumns: ResultColumn[],
    private readonly out: ParquetOut,
    private readonly rowGroupBytes: number,
  ) {
    this.columns = resultColumns.map((c) => new ColumnBuffer(c, parquetKind(c)));
    this.marks = this.columns.map(() => ({ len: 0, rows: 0, nulls: 0 }));
    this.footerBytes = this.footer().length;
    this.groupFooterBound = rowGroupFooterBound(this.columns);
  }

  /** Bytes buffered in the open row group. */
  private get groupBytes(): number {
    let n = 0;
    for (const c of this.columns) n += c.len;
    return n;
  }

  /** The most the file can take if it is closed now: an upper bound, exact but for the open group. */
  get sizeIfClosed(): number {
    let n = (this.started ? this.offset : 4) + this.footerBytes;
    if (this.groupRows > 0) {
      n += this.groupFooterBound;
      for (const c of this.columns) n += pageBound(4 + 16 + Math.ceil(c.rows / 8) + c.len);
    }
    return n;
  }

  /** Whether the open row group is full: the caller then awaits `flushGroup()`. */
  get groupFull(): boolean {
    return (
      this.groupRows >= MAX_GROUP_ROWS ||
      (this.groupRows % 1024 === 0 && this.groupBytes >= this.rowGroupBytes)
    );
  }

  /** Rows in the file so far (the open row group included). */
  get rows(): number {
    return this.totalRows + this.groupRows;
  }

  /** One row of PostgreSQL binary COPY fields: `starts[i]`/`lengths[i]` into `b`, length -1 = NULL. */
  addBinaryRow(b: Buffer, starts: Int32Array, lengths: Int32Array): void {
    for (let i = 0; i < this.columns.length; i++) {
      const n = lengths[i] as number;
      const c = this.columns[i] as ColumnBuffer;
      if (n < 0) c.addNull();
      else c.addBinary(b, starts[i] as number, n);
    }
    this.groupRows++;
    this.out.records++;
  }

  /**
   * Adds a binary COPY row if the file, closed after it, stays within `max` bytes (MAXFILESIZE is
   * an upper bound). When it does not, the open row group is encoded without it (its exact size
   * then replaces the bound) and the row is tried again; false means the caller closes this file
   * and writes the row to the next one. A row alone larger than `max` still goes into an empty file.
   */
  tryAddBinaryRow(b: Buffer, starts: Int32Array, lengths: Int32Array, max: number): boolean {
    // The row's binary COPY bytes (count, lengths, values) bound what it adds to the column
    // buffers, but for a decimal wider than its digits: 8 more bytes per column covers that.
    const last = this.columns.length - 1;
    const end = (starts[last] as number) + Math.max(0, lengths[last] as number);
    const grows = end - (starts[0] as number) + 6 + 8 * this.columns.length;
    if (this.groupRows > 0 && this.quickBound(grows) <= max) {
      this.addBinaryRow(b, starts, lengths);
      this.lenBound += grows;
      return true;
    }
    const added = this.tryAdd(() => this.addBinaryRow(b, starts, lengths), max);
    this.lenBound = this.groupBytes;
    return added;
  }

  /**
   * A cheap bound of `sizeIfClosed` once `grows` more bytes of values and one more row are in the
   * open group (never below it: each column's page bound is at most 97 + 7/6 of its raw bytes), so
   * most rows skip the exact check and its rollback marks; the exact path decides near the cap.
   */
  private quickBound(grows: number): number {
    const n = this.columns.length;
    const raw = n * (21 + (this.groupRows + 1) / 8) + this.lenBound + grows;
    return (
      (this.started ? this.offset : 4) + this.footerBytes + this.groupFooterBound + n * 97 + (raw * 7) / 6
    );
  }

  /** `tryAddBinaryRow` for a row of text values (PARTITION BY). */
  tryAddTextRow(row: Row, max: number): boolean {
    return this.tryAdd(() => this.addTextRow(row), max);
  }

  private tryAdd(add: () => void, max: number): boolean {
    this.mark();
    add();
    if (this.sizeIfClosed <= max || this.rows === 1) return true;
    this.rollback();
    if (this.groupRows === 0) return false;
    this.encodeGroup();
    // Nearly full: the next file rather than ever smaller row groups at the end of this one.
    if (max - this.sizeIfClosed < max / 16) return false;
    this.mark();
    add();
    if (this.sizeIfClosed <= max) return true;
    this.rollback();
    return false;
  }

  private mark(): void {
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i] as ColumnBuffer;
      const m = this.marks[i] as { len: number; rows: number; nulls: number };
      m.len = c.len;
      m.rows = c.rows;
      m.nulls = c.nulls;
    }
  }

  private rollback(): void {
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i] as ColumnBuffer;
      const m = this.marks[i] as { len: number; rows: number; nulls: number };
      c.len = m.len;
      c.rows = m.rows;
      c.nulls = m.nulls;
    }
    this.groupRows--;
    this.out.records--;
  }

  private addTextRow(row: Row): void {
    for (let i = 0; i < this.columns.length; i++) {
      const v = row[i];
      const c = this.columns[i] as ColumnBuffer;
      if (v === null || v === undefined) c.addNull();
      else c.addText(v);
    }
    this.groupRows++;
    this.out.records++;
  }

  async writeRow(row: Row): Promise<void> {
    this.addTextRow(row);
    if (this.groupFull) await this.flushGroup();
  }

  /** Writes the encoded row groups not yet written. */
  async drain(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    for (const chunk of pending) await this.out.write(chunk);
  }

  async flushGroup(): Promise<void> {
    this.encodeGroup();
    await this.drain();
  }

  private push(bytes: Uint8Array): void {
    this.pending.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.offset += bytes.length;
  }

  /** Encodes the open row group into `pending` (synchronous: the size is known at once). */
  private encodeGroup(): void {
    if (this.groupRows === 0) return;
    if (!this.started) {
      this.pending.push(Buffer.from('PAR1'));
      this.offset = 4;
      this.started = true;
    }
    const chunks: ColumnChunk[] = [];
    const groupStart = this.offset;
    let uncompressed = 0;
    for (const c of this.columns) {
      const start = this.offset;
      const { dictionary, header, body, uncompressed: size, statistics, encodings } = c.pages();
      if (dictionary !== undefined) {
        this.push(dictionary.header);
        this.push(dictionary.body);
      }
      const dataStart = this.offset;
      this.push(header);
      this.push(body);
      uncompressed += size;
      chunks.push({
        file_offset: BigInt(start),
        meta_data: {
          type: c.element.type as NonNullable<SchemaElement['type']>,
          encodings,
          path_in_schema: [c.element.name],
          codec: 'SNAPPY',
          num_values: BigInt(this.groupRows),
          total_uncompressed_size: BigInt(size),
          total_compressed_size: BigInt(this.offset - start),
          data_page_offset: BigInt(dataStart),
          ...(dictionary !== undefined ? { dictionary_page_offset: BigInt(start) } : {}),
          statistics,
        },
      });
    }
    this.rowGroups.push({
      columns: chunks,
      total_byte_size: BigInt(uncompressed),
      num_rows: BigInt(this.groupRows),
      file_offset: BigInt(groupStart),
      total_compressed_size: BigInt(this.offset - groupStart),
    });
    this.totalRows += this.groupRows;
    this.groupRows = 0;
    this.lenBound = 0;
    this.footerBytes = this.footer().length;
  }

  /** The file's footer for the row groups so far: metadata, its length and 'PAR1'. */
  private footer(): Uint8Array {
    const footer = new ByteWriter(4096);
    const metadata: Omit<FileMetaData, 'metadata_length'> = {
      version: 1,
      created_by: 'Amazon Redshift (local emulator)',
      schema: [{ name: 'schema', num_children: this.columns.length }, ...this.columns.map((c) => c.element)],
      num_rows: BigInt(this.totalRows),
      row_groups: this.rowGroups,
    };
    writeMetadata(footer, metadata as FileMetaData);
    const len = footer.offset;
    footer.appendUint32(len);
    footer.appendUint32(0x31524150);
    return footer.getBytes();
  }

  async close(): Promise<void> {
    this.encodeGroup();
    if (!this.started) {
      this.pending.push(Buffer.from('PAR1'));
      this.offset = 4;
      this.started = true;
    }
    const bytes = this.footer();
    this.pending.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    await this.drain();
  }
}
