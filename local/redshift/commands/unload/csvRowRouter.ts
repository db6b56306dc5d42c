import { SliceBuffer } from './csvTranscoder.ts';

const LF = 0x0a;
const QUOTE = 0x22;

/**
 * Routes the rows of CSV that is already final (PostgreSQL's CSV where it is byte for byte what
 * Redshift writes, see pgCsvAsIs.ts) round-robin to slice buffers, bytes unchanged. A row ends at
 * an LF outside quotes; a doubled quote inside a quoted field toggles twice, so one bit tracks
 * whether the scan is inside one. Same interface as CsvTranscoder, a fraction of its per-byte work.
 */
export class CsvRowRouter {
  readonly slices: SliceBuffer[];
  /** Rows seen (completed). */
  rows = 0;
  private inQuotes = 0;
  private current: SliceBuffer;

  constructor(slices: number, sliceBytes = 64 * 1024) {
    this.slices = Array.from({ length: slices }, () => new SliceBuffer(sliceBytes));
    this.current = this.slices[0] as SliceBuffer;
  }

  /** Whether the input ended exactly at a row boundary. */
  get atRowBoundary(): boolean {
    return this.inQuotes === 0 && this.current.len === this.current.committed;
  }

  /** Consumes one chunk of PostgreSQL's output. */
  push(input: Uint8Array): void {
    // The per-byte hot path of UNLOAD CSV: buffer, length and state live in locals.
    const slices = this.slices;
    let s = this.current;
    let out = s.buf;
    let len = s.len;
    let inQuotes = this.inQuotes;
    const n = input.length;
    for (let i = 0; i < n; i++) {
      const c = input[i] as number;
      if (len === out.length) {
        s.len = len;
        s.grow(len + 1);
        out = s.buf;
      }
      out[len++] = c;
      if (c === QUOTE) inQuotes ^= 1;
      else if (c === LF && inQuotes === 0) {
        s.len = len;
        s.committed = len;
        s.ends.push(len);
        s.rows++;
        this.rows++;
        s = slices[this.rows % slices.length] as SliceBuffer;
        out = s.buf;
        len = s.len;
      }
    }
    s.len = len;
    this.current = s;
    this.inQuotes = inQuotes;
  }
}
