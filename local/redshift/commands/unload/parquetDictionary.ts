import type { Bounds } from './parquetStatistics.ts';
import { foldBytes, viewOf } from './parquetStatistics.ts';

/**
 * Dictionary encoding of one column chunk, as parquet-mr and Arrow write it (and readers expect
 * of Redshift's files): a dictionary page of the distinct values (PLAIN) and a data page of their
 * indices (bit width + RLE/bit-packed hybrid). Built from the chunk's PLAIN bytes; a chunk whose
 * values are mostly distinct, or whose dictionary outgrows a page, stays PLAIN.
 */
export interface Dictionary {
  /** The distinct values, PLAIN-encoded. */
  values: Buffer;
  count: number;
  /** Index of each non-null value, in order. */
  indices: Uint32Array;
}

/** parquet-mr's and Arrow's default dictionary page limit. */
const MAX_DICTIONARY_BYTES = 1024 * 1024;
/** Values looked at before giving up on a chunk that is mostly distinct. */
const PROBE = 4096;

/** Which plain values are dictionary-encoded: strings and 4-byte integers (dates included). */
export type DictionaryKind = 'bytes' | 'int32';

/**
 * The dictionary of `b[0, len)` (`n` values), or undefined when it would not pay. For byte arrays
 * the chunk's bounds are folded in as a side effect (over distinct values only, when it pays);
 * for integers `bounds` is undefined (fixedBounds is cheaper).
 */
export function buildDictionary(
  b: Buffer,
  len: number,
  n: number,
  kind: DictionaryKind,
): { dictionary: Dictionary | undefined; bounds: Bounds } {
  const indices = new Uint32Array(n);
  const firstAt: number[] = [];
  let dictBytes = 0;
  let bounds: Bounds;
  if (kind === 'int32') {
    const ids = new Map<number, number>();
    for (let i = 0, p = 0; p < len; i++, p += 4) {
      const v = b.readInt32LE(p);
      let id = ids.get(v);
      if (id === undefined) {
        id = ids.size;
        ids.set(v, id);
        firstAt.push(p);
        dictBytes += 4;
        if (giveUp(i, ids.size, dictBytes)) return { dictionary: undefined, bounds: undefined };
      }
      indices[i] = id;
    }
  } else {
    const view = viewOf(b);
    const ids = new Map<string, number>();
    let i = 0;
    for (let p = 0; p < len; i++) {
      const size = b.readUInt32LE(p);
      // latin1 keeps every byte distinct: a cheap, exact key.
      const key = b.toString('latin1', p + 4, p + 4 + size);
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
        firstAt.push(p);
        dictBytes += 4 + size;
        bounds = foldBytes(b, view, p + 4, size, bounds);
        if (giveUp(i, ids.size, dictBytes)) return { dictionary: undefined, bounds: plainBounds(b, len) };
      }
      indices[i] = id;
      p += 4 + size;
    }
  }
  const values = Buffer.allocUnsafe(dictBytes);
  let o = 0;
  for (const p of firstAt) {
    const size = kind === 'int32' ? 4 : 4 + b.readUInt32LE(p);
    o += b.copy(values, o, p, p + size);
  }
  return { dictionary: { values, count: firstAt.length, indices }, bounds };
}

function giveUp(i: number, distinct: number, bytes: number): boolean {
  return bytes > MAX_DICTIONARY_BYTES || (i + 1 >= PROBE && distinct * 4 > (i + 1) * 3);
}

/** Bounds of every length-prefixed value in `b[0, len)`. */
export function plainBounds(b: Buffer, len: number): Bounds {
  let bounds: Bounds;
  const view = viewOf(b);
  for (let p = 0; p < len; ) {
    const size = view.getUint32(p, true);
    bounds = foldBytes(b, view, p + 4, size, bounds);
    p += 4 + size;
  }
  return bounds;
}

/** Bits per index for `count` dictionary entries (at least 1). */
export function bitWidth(count: number): number {
  let w = 1;
  while (count > 2 ** w) w++;
  return w;
}

/** Bytes `encodeIndices` returns for `n` indices of `count` entries at most. */
export function indicesSize(n: number, count: number): number {
  const groups = Math.ceil(n / 8);
  return 1 + varintSize((groups << 1) | 1) + groups * bitWidth(count);
}

function varintSize(v: number): number {
  let n = 1;
  for (let x = v; x > 0x7f; x = Math.floor(x / 128)) n++;
  return n;
}

/** The data page's values: the bit width, then all indices as one bit-packed run (LSB first). */
export function encodeIndices(indices: Uint32Array, count: number): Uint8Array {
  const width = bitWidth(count);
  const groups = Math.ceil(indices.length / 8);
  const out = new Uint8Array(indicesSize(indices.length, count));
  out[0] = width;
  let o = 1;
  for (let v = (groups << 1) | 1; ; v = Math.floor(v / 128)) {
    if (v > 0x7f) out[o++] = (v & 0x7f) | 0x80;
    else {
      out[o++] = v;
      break;
    }
  }
  // width <= 17 (a row group has at most 65,536 rows): acc stays below 2^25.
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < indices.length; i++) {
    acc |= (indices[i] as number) << bits;
    bits += width;
    while (bits >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out[o++] = acc & 0xff;
  // The padding of the last group of 8 is already zero.
  return out;
}
