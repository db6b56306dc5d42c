const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

type OnRow = (b: Buffer, starts: Int32Array, lengths: Int32Array) => void;

/**
 * Incremental parser of PostgreSQL's `COPY ... TO STDOUT (FORMAT binary)`: hands each complete
 * tuple to `onRow` as field offsets/lengths into a buffer (length -1 = NULL), with no per-row or
 * per-field allocation. Rows are read in place from each chunk; only a tuple split over two chunks
 * is copied (joined with the head of the next chunk), never the whole chunk.
 */
export class BinaryCopyParser {
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  /** The trailer (-1 field count) has been read. */
  ended = false;
  private tail: Buffer | undefined;
  private headerDone = false;

  constructor(private readonly columns: number) {
    this.starts = new Int32Array(columns);
    this.lengths = new Int32Array(columns);
  }

  push(chunk: Buffer, onRow: OnRow): void {
    let b = chunk;
    let pos = 0;
    if (this.tail && this.headerDone) {
      const tail = this.tail;
      const end = this.tupleEnd(tail, chunk);
      if (end < 0) {
        this.tail = Buffer.concat([tail, chunk]);
        return;
      }
      this.tail = undefined;
      this.rows(Buffer.concat([tail, chunk.subarray(0, end - tail.length)]), 0, onRow);
      pos = end - tail.length;
    } else if (this.tail) {
      b = Buffer.concat([this.tail, chunk]);
      this.tail = undefined;
    }
    if (!this.headerDone) {
      const n = b.length;
      if (n < 19) {
        this.tail = Buffer.from(b);
        return;
      }
      if (!b.subarray(0, 11).equals(SIGNATURE)) throw new Error('COPY BINARY output has no PGCOPY signature');
      const ext = b.readInt32BE(15);
      if (n < 19 + ext) {
        this.tail = Buffer.from(b);
        return;
      }
      pos = 19 + ext;
      this.headerDone = true;
    }
    pos = this.ended ? pos : this.rows(b, pos, onRow);
    this.tail = pos < b.length ? Buffer.from(b.subarray(pos)) : undefined;
  }

  /** Hands over the complete tuples of `b` from `pos`; returns where the first incomplete one starts. */
  private rows(b: Buffer, from: number, onRow: OnRow): number {
    const n = b.length;
    const starts = this.starts;
    const lengths = this.lengths;
    const columns = this.columns;
    let pos = from;
    while (pos + 2 <= n && !this.ended) {
      const count = b.readInt16BE(pos);
      if (count === -1) {
        this.ended = true;
        pos += 2;
        break;
      }
      if (count !== columns) throw new Error(`COPY BINARY tuple has ${count} fields, expected ${columns}`);
      let p = pos + 2;
      let complete = true;
      for (let i = 0; i < columns; i++) {
        if (p + 4 > n) {
          complete = false;
          break;
        }
        const len = b.readInt32BE(p);
        p += 4;
        starts[i] = p;
        lengths[i] = len;
        if (len > 0) p += len;
        if (p > n) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      onRow(b, starts, lengths);
      pos = p;
    }
    return pos;
  }

  /**
   * Where the tuple (or trailer) starting at `tail` ends, counted from the start of `tail`, once
   * `chunk` follows it; -1 if it does not end within `chunk` either.
   */
  private tupleEnd(tail: Buffer, chunk: Buffer): number {
    const t = tail.length;
    const total = t + chunk.length;
    const at = (i: number) => (i < t ? tail[i] : chunk[i - t]) as number;
    if (total < 2) return -1;
    const count = ((at(0) << 24) | (at(1) << 16)) >> 16;
    if (count === -1) return 2;
    let p = 2;
    // A field count other than `columns` is reported by rows() on the joined bytes.
    for (let i = 0; i < Math.max(0, count); i++) {
      if (p + 4 > total) return -1;
      const len = (at(p) << 24) | (at(p + 1) << 16) | (at(p + 2) << 8) | at(p + 3);
      p += 4;
      if (len > 0) p += len;
      if (p > total) return -1;
    }
    return p;
  }

  /** Whether the input ended cleanly (trailer read, nothing left over). */
  get complete(): boolean {
    return this.ended && this.tail === undefined;
  }
}
