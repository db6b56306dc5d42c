/** Takes the rows of a COPY TO, each possibly in several pieces. */
export interface RowSink {
  /** Bytes `[start, end)` of `chunk` continue the current row. */
  data(chunk: Buffer, start: number, end: number): void;
  /** The current row is complete. */
  endRow(): void;
}

const COPY_DATA = 0x64; // 'd'
/** Messages a backend may send in copy-out mode before the data ends (skipped). */
const SKIPPED = new Set([
  0x48, // 'H' CopyOutResponse
  0x4e, // 'N' NoticeResponse
  0x53, // 'S' ParameterStatus
  0x41, // 'A' NotificationResponse
]);

/**
 * Walks the protocol bytes PostgreSQL sends for a `COPY ... TO STDOUT`, from the first byte after
 * the query was sent: each row is one CopyData message ('d', int32 length, bytes; "always one per
 * row" in the protocol's copy-out flow), so rows are found from the message headers alone, without
 * reading the rows' bytes. Stops at the first message that is not part of the copy (CopyDone,
 * ErrorResponse...), whose bytes belong to the client's own protocol handler.
 */
export class CopyDataScanner {
  /** Header bytes of the next message seen so far (a header may be split between chunks). */
  private readonly header = Buffer.alloc(5);
  private headerLength = 0;
  /** Kind and unread body bytes of the current message. */
  private code = 0;
  private remaining = 0;
  private done = false;

  /** Whether the copy data has ended. */
  get ended(): boolean {
    return this.done;
  }

  /** Whether the input so far ended between two messages. */
  get atMessageBoundary(): boolean {
    return this.remaining === 0 && this.headerLength === 0;
  }

  /**
   * Hands the rows in `chunk` to `sink` (none: they are dropped). Returns where the message that
   * ends the copy starts in `chunk`, or -1 when all of `chunk` was copy data.
   */
  scan(chunk: Buffer, sink: RowSink | undefined): number {
    if (this.done) return 0;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.remaining > 0) {
        const end = Math.min(n, i + this.remaining);
        if (this.code === COPY_DATA) sink?.data(chunk, i, end);
        this.remaining -= end - i;
        i = end;
        if (this.remaining === 0 && this.code === COPY_DATA) sink?.endRow();
        continue;
      }
      if (this.headerLength === 0) {
        const code = chunk[i] as number;
        if (code !== COPY_DATA && !SKIPPED.has(code)) {
          this.done = true;
          return i;
        }
        if (i + 5 <= n) {
          // The whole header is here: the common case, no copy.
          this.code = code;
          this.remaining = chunk.readUInt32BE(i + 1) - 4;
          i += 5;
          if (this.remaining === 0 && code === COPY_DATA) sink?.endRow();
          continue;
        }
      }
      this.header[this.headerLength++] = chunk[i++] as number;
      if (this.headerLength === 5) {
        this.headerLength = 0;
        this.code = this.header[0] as number;
        this.remaining = this.header.readUInt32BE(1) - 4;
        if (this.remaining === 0 && this.code === COPY_DATA) sink?.endRow();
      }
    }
    return -1;
  }
}
