const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Incremental parser of PostgreSQL's `COPY ... TO STDOUT (FORMAT binary)`: hands each complete
 * tuple to `onRow` as field offsets/lengths into a buffer (length -1 = NULL), with no per-row or
 * per-field allocation. A tuple split over chunks is carried to the next one.
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

  push(chunk: Buffer, onRow: (b: Buffer, starts: Int32Array, lengths: Int32Array) => void): void {
    const b = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    const n = b.length;
    let pos = 0;
    if (!this.headerDone) {
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
    const starts = this.starts;
    const lengths = this.lengths;
    const columns = this.columns;
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
    this.tail = pos < n ? Buffer.from(b.subarray(pos)) : undefined;
  }

  /** Whether the input ended cleanly (trailer read, nothing left over). */
  get complete(): boolean {
    return this.ended && this.tail === undefined;
  }
}
