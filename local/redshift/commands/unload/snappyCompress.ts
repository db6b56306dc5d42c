/**
 * Snappy compression (the reference algorithm, 64 KB blocks) writing into one preallocated array:
 * the Parquet pages of UNLOAD are its hot path, and the byte-at-a-time growable writer of the
 * library version costs several times more.
 */

const BLOCK = 65536;
const INPUT_MARGIN = 15;
const MAX_HASH_BITS = 14;
const tables: Int32Array[] = [];

function load32(b: Uint8Array, i: number): number {
  return (
    ((b[i] as number) |
      ((b[i + 1] as number) << 8) |
      ((b[i + 2] as number) << 16) |
      ((b[i + 3] as number) << 24)) >>>
    0
  );
}

function emitLiteral(input: Uint8Array, ip: number, len: number, out: Uint8Array, op: number): number {
  const n = len - 1;
  if (n < 60) out[op++] = n << 2;
  else if (n < 256) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else {
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  }
  out.set(input.subarray(ip, ip + len), op);
  return op + len;
}

function emitCopyUpTo64(out: Uint8Array, op: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    out[op] = 1 + ((len - 4) << 2) + ((offset >>> 8) << 5);
    out[op + 1] = offset & 0xff;
    return op + 2;
  }
  out[op] = 2 + ((len - 1) << 2);
  out[op + 1] = offset & 0xff;
  out[op + 2] = offset >>> 8;
  return op + 3;
}

function emitCopy(out: Uint8Array, op: number, offset: number, length: number): number {
  let len = length;
  let o = op;
  while (len >= 68) {
    o = emitCopyUpTo64(out, o, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    o = emitCopyUpTo64(out, o, offset, 60);
    len -= 60;
  }
  return emitCopyUpTo64(out, o, offset, len);
}

function compressBlock(input: Uint8Array, start: number, end: number, out: Uint8Array, op0: number): number {
  const size = end - start;
  let bits = 1;
  while (1 << bits <= size && bits <= MAX_HASH_BITS) bits++;
  bits--;
  const shift = 32 - bits;
  tables[bits] ??= new Int32Array(1 << bits);
  const table = tables[bits] as Int32Array;
  table.fill(0);
  let op = op0;
  let ip = start;
  let nextEmit = start;
  if (size >= INPUT_MARGIN) {
    const ipLimit = end - INPUT_MARGIN;
    ip++;
    let nextHash = Math.imul(load32(input, ip), 0x1e35a7bd) >>> shift;
    outer: for (;;) {
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        const hash = nextHash;
        nextIp = ip + (skip >>> 5);
        skip++;
        if (ip > ipLimit) break outer;
        nextHash = Math.imul(load32(input, nextIp), 0x1e35a7bd) >>> shift;
        candidate = start + (table[hash] as number);
        table[hash] = ip - start;
      } while (load32(input, ip) !== load32(input, candidate));
      op = emitLiteral(input, nextEmit, ip - nextEmit, out, op);
      do {
        const base = ip;
        let matched = 4;
        while (ip + matched < end && input[ip + matched] === input[candidate + matched]) matched++;
        ip += matched;
        op = emitCopy(out, op, base - candidate, matched);
        nextEmit = ip;
        if (ip >= ipLimit) break outer;
        table[Math.imul(load32(input, ip - 1), 0x1e35a7bd) >>> shift] = ip - 1 - start;
        const cur = Math.imul(load32(input, ip), 0x1e35a7bd) >>> shift;
        candidate = start + (table[cur] as number);
        table[cur] = ip - start;
      } while (load32(input, ip) === load32(input, candidate));
      ip++;
      nextHash = Math.imul(load32(input, ip), 0x1e35a7bd) >>> shift;
    }
  }
  if (nextEmit < end) op = emitLiteral(input, nextEmit, end - nextEmit, out, op);
  return op;
}

/** Snappy-compressed bytes of `input` (raw format, as Parquet pages use). */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(32 + input.length + Math.ceil(input.length / 6));
  let op = 0;
  let n = input.length;
  while (n >= 0x80) {
    out[op++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[op++] = n;
  for (let pos = 0; pos < input.length; pos += BLOCK)
    op = compressBlock(input, pos, Math.min(pos + BLOCK, input.length), out, op);
  return out.subarray(0, op);
}
