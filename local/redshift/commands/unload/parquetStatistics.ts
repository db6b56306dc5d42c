import type { SchemaElement } from 'hyparquet';
import { unconvertMinMax } from 'hyparquet-writer/src/unconvert.js';
import type { ParquetKind } from './parquetFile.ts';

/**
 * Column-chunk statistics (min_value, max_value, null_count) of one row group, computed from the
 * column's PLAIN bytes without a JS value per row, so readers can skip row groups as they do with
 * Redshift's files. Orders are Parquet's: signed for integers, dates, timestamps and decimals,
 * unsigned bytewise for strings; NaN never becomes a bound.
 */
export interface ChunkStatistics {
  null_count: bigint;
  min_value?: number | bigint | Uint8Array;
  max_value?: number | bigint | Uint8Array;
}

/** Longest byte-array bound kept (hyparquet-writer truncates a longer min down, a longer max up). */
export const STATISTIC_BYTES = 16;

/** At most this many bytes of one column's statistics in the footer (Thrift framing included). */
export function statisticsBound(element: SchemaElement): number {
  const width = element.type === 'BYTE_ARRAY' ? STATISTIC_BYTES + 4 : Math.max(8, element.type_length ?? 0);
  return 2 * (width + 8) + 24;
}

/** Offsets [start, length] of the smallest and largest value among the plain values, or undefined. */
export type Bounds = { min: number; minLen: number; max: number; maxLen: number } | undefined;

/**
 * Unsigned bytewise order of `b[x, x + xn)` and `b[y, y + yn)`. A JS loop: values are short and
 * share long prefixes, where Buffer#compare's per-call cost is several times the loop's.
 */
function compareBytes(b: Buffer, x: number, xn: number, y: number, yn: number): number {
  const n = Math.min(xn, yn);
  for (let i = 0; i < n; i++) {
    const d = (b[x + i] as number) - (b[y + i] as number);
    if (d !== 0) return d;
  }
  return xn - yn;
}

/** Signed two's-complement big-endian comparison (decimal FIXED_LEN_BYTE_ARRAY). */
function compareSignedBE(b: Buffer, x: number, y: number, width: number): number {
  const hx = (b[x] as number) ^ 0x80;
  const hy = (b[y] as number) ^ 0x80;
  if (hx !== hy) return hx - hy;
  return compareBytes(b, x + 1, width - 1, y + 1, width - 1);
}

/** Bounds of fixed-width little-endian or big-endian values in `b[0, len)`. */
export function fixedBounds(b: Buffer, len: number, kind: ParquetKind, width: number): Bounds {
  if (len === 0) return undefined;
  let min = -1;
  let max = -1;
  switch (kind) {
    case 'int16':
    case 'int32':
    case 'date': {
      let lo = Infinity;
      let hi = -Infinity;
      for (let p = 0; p < len; p += 4) {
        const v = b.readInt32LE(p);
        if (v < lo) {
          lo = v;
          min = p;
        }
        if (v > hi) {
          hi = v;
          max = p;
        }
      }
      return { min, minLen: 4, max, maxLen: 4 };
    }
    case 'int64':
    case 'timestamp': {
      // Compared as (signed high word, unsigned low word): no BigInt per value.
      let loHi = Infinity;
      let loLo = Infinity;
      let hiHi = -Infinity;
      let hiLo = -Infinity;
      for (let p = 0; p < len; p += 8) {
        const h = b.readInt32LE(p + 4);
        const l = b.readUInt32LE(p);
        if (h < loHi || (h === loHi && l < loLo)) {
          loHi = h;
          loLo = l;
          min = p;
        }
        if (h > hiHi || (h === hiHi && l > hiLo)) {
          hiHi = h;
          hiLo = l;
          max = p;
        }
      }
      return { min, minLen: 8, max, maxLen: 8 };
    }
    case 'float':
    case 'double': {
      const size = kind === 'float' ? 4 : 8;
      let lo = Infinity;
      let hi = -Infinity;
      for (let p = 0; p < len; p += size) {
        const v = size === 4 ? b.readFloatLE(p) : b.readDoubleLE(p);
        if (Number.isNaN(v)) continue;
        if (min < 0 || v < lo) {
          lo = v;
          min = p;
        }
        if (max < 0 || v > hi) {
          hi = v;
          max = p;
        }
      }
      return min < 0 ? undefined : { min, minLen: size, max, maxLen: size };
    }
    case 'decimal': {
      min = 0;
      max = 0;
      for (let p = width; p < len; p += width) {
        if (compareSignedBE(b, p, min, width) < 0) min = p;
        if (compareSignedBE(b, p, max, width) > 0) max = p;
      }
      return { min, minLen: width, max, maxLen: width };
    }
    default:
      return undefined;
  }
}

/**
 * Bytes of a string value its cut bound depends on: the first STATISTIC_BYTES, and the next one
 * (whether the cut falls inside a UTF-8 character). Truncation keeps bytewise order, so the
 * values sharing the smallest (largest) such prefix all cut to the true min's (max's) bound, and
 * comparing no further gives the same statistics.
 */
const BOUND_PREFIX = STATISTIC_BYTES + 1;

/** `compareBytes` four bytes at a time (big-endian words order as bytes do): strings share long prefixes. */
function comparePrefix(v: DataView, b: Buffer, x: number, xn: number, y: number, yn: number): number {
  const n = Math.min(xn, yn);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const wx = v.getUint32(x + i);
    const wy = v.getUint32(y + i);
    if (wx !== wy) return wx < wy ? -1 : 1;
  }
  for (; i < n; i++) {
    const d = (b[x + i] as number) - (b[y + i] as number);
    if (d !== 0) return d;
  }
  return xn - yn;
}

/** A DataView over exactly `b`'s bytes (offsets into `b` are offsets into it), for foldBytes. */
export function viewOf(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Folds the byte-array value `b[p, p + n)` into `bounds` (unsigned bytewise order of the prefixes
 * that decide the cut bounds); `v` is `viewOf(b)`.
 */
export function foldBytes(b: Buffer, v: DataView, p: number, n: number, bounds: Bounds): Bounds {
  if (bounds === undefined) return { min: p, minLen: n, max: p, maxLen: n };
  const k = Math.min(n, BOUND_PREFIX);
  if (comparePrefix(v, b, p, k, bounds.min, Math.min(bounds.minLen, BOUND_PREFIX)) < 0) {
    bounds.min = p;
    bounds.minLen = n;
  }
  if (comparePrefix(v, b, p, k, bounds.max, Math.min(bounds.maxLen, BOUND_PREFIX)) > 0) {
    bounds.max = p;
    bounds.maxLen = n;
  }
  return bounds;
}

/** The JS value hyparquet-writer's footer encoder takes for the plain value at `b[p, p + n)`. */
function statValue(b: Buffer, p: number, n: number, kind: ParquetKind): number | bigint | Uint8Array {
  switch (kind) {
    case 'int16':
    case 'int32':
    case 'date':
      return b.readInt32LE(p);
    case 'int64':
    case 'timestamp':
      return b.readBigInt64LE(p);
    case 'float':
      return b.readFloatLE(p);
    case 'double':
      return b.readDoubleLE(p);
    case 'decimal': {
      // Unscaled big-endian two's complement.
      let v = 0n;
      for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(b[p + i] as number);
      return BigInt.asIntN(8 * n, v);
    }
    default:
      return Uint8Array.prototype.slice.call(b, p, p + n);
  }
}

/** The chunk's statistics; byte-array bounds are cut to STATISTIC_BYTES or left out when they cannot be. */
export function chunkStatistics(
  b: Buffer,
  bounds: Bounds,
  nulls: number,
  element: SchemaElement,
  kind: ParquetKind,
): ChunkStatistics {
  const stats: ChunkStatistics = { null_count: BigInt(nulls) };
  if (bounds === undefined || kind === 'bool') return stats;
  let min = statValue(b, bounds.min, bounds.minLen, kind);
  let max = statValue(b, bounds.max, bounds.maxLen, kind);
  if (element.type === 'BYTE_ARRAY') {
    // No short upper bound exists (a run of the highest code point): no bounds rather than a long one.
    const cutMin = unconvertMinMax(min, element, false, STATISTIC_BYTES) as Uint8Array;
    const cutMax = unconvertMinMax(max, element, true, STATISTIC_BYTES) as Uint8Array;
    if (cutMin.length > STATISTIC_BYTES || cutMax.length > STATISTIC_BYTES) return stats;
    min = cutMin;
    max = cutMax;
  } else if (min === 0) {
    // Parquet writes -0.0 as the min and +0.0 as the max of a zero bound (PARQUET-1222).
    min = -0;
  }
  if (max === 0) max = 0;
  stats.min_value = min;
  stats.max_value = max;
  return stats;
}
