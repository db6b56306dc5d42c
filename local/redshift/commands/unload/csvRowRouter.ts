import type { RowSink } from './copyDataScanner.ts';
import { SliceBuffer } from './csvTranscoder.ts';

/**
 * Deals rows that are already final (PostgreSQL's CSV where it is byte for byte what Redshift
 * writes, see pgCsvAsIs.ts) round-robin to slice buffers, bytes unchanged. Rows come from
 * CopyDataScanner, one protocol message each, so nothing here reads their bytes.
 */
export class CsvRowRouter implements RowSink {
  readonly slices: SliceBuffer[];
  /** Rows seen (completed). */
  rows = 0;
  private current: SliceBuffer;

  constructor(slices: number, sliceBytes = 64 * 1024) {
    this.slices = Array.from({ length: slices }, () => new SliceBuffer(sliceBytes));
    this.current = this.slices[0] as SliceBuffer;
  }

  /** Whether no row is half-way through. */
  get atRowBoundary(): boolean {
    return this.current.len === this.current.committed;
  }

  data(chunk: Buffer, start: number, end: number): void {
    const s = this.current;
    const need = s.len + end - start;
    if (need > s.buf.length) s.grow(need);
    // Buffer#copy even for ~100-byte rows: half the CPU of a JS byte loop (Node 22, 1M rows).
    s.len += chunk.copy(s.buf, s.len, start, end);
  }

  endRow(): void {
    const s = this.current;
    s.committed = s.len;
    s.ends.push(s.len);
    s.rows++;
    this.rows++;
    this.current = this.slices[this.rows % this.slices.length] as SliceBuffer;
  }
}
