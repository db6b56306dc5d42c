import { LineMapBuilder } from './lineMap.ts';

/** Where dealt records go: a ChunkWriter (gzip to S3), or memory in tests. */
export interface ChunkOutput {
  records: number;
  /** Appends `bytes[start..end)`. */
  append(bytes: Buffer, start: number, end: number): void;
  appendByte(byte: number): void;
  appendText(text: string): void;
  /** Resolves when the output can take more input (backpressure). */
  ready(): Promise<unknown>;
}

/**
 * Deals records to the part's chunks in runs of about `dealBytes` (whole records, round robin),
 * counting records per chunk and keeping the line map.
 */
export class ChunkDealer {
  records = 0;
  readonly lineMap: LineMapBuilder;
  private current = 0;
  private written = 0;

  constructor(
    private readonly writers: readonly ChunkOutput[],
    private readonly dealBytes: number,
  ) {
    this.lineMap = new LineMapBuilder(writers.length);
  }

  /** The writer for the next record. */
  writer(): ChunkOutput {
    return this.writers[this.current] as ChunkOutput;
  }

  /** The record just appended to `writer()` came from `sourceLine`, spans `lines` lines, `bytes` long. */
  added(sourceLine: number, lines: number, bytes: number): void {
    const w = this.writers[this.current] as ChunkOutput;
    w.records++;
    this.records++;
    this.lineMap.add(this.current, sourceLine, lines);
    this.written += bytes;
    if (this.written >= this.dealBytes) {
      this.written = 0;
      this.current = (this.current + 1) % this.writers.length;
    }
  }

  /** Backpressure of every chunk's gzip stream. */
  async ready(): Promise<void> {
    for (const w of this.writers) await w.ready();
  }
}
