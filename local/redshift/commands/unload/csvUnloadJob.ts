import type { SliceBuffer } from './csvTranscoder.ts';
import { CsvTranscoder } from './csvTranscoder.ts';
import type { SendOutput, UnloadJob } from './unloadJob.ts';
import type { CsvUnloadPlan } from './unloadWorkerMessages.ts';

/**
 * UNLOAD CSV/TEXT on the worker: PostgreSQL's CSV COPY reframed as Redshift's rows per slice;
 * the main thread writes them to files (MAXFILESIZE, compression, upload).
 */
export class CsvUnloadJob implements UnloadJob {
  private readonly tr: CsvTranscoder;

  constructor(
    private readonly plan: CsvUnloadPlan,
    private readonly send: SendOutput,
  ) {
    this.tr = new CsvTranscoder(plan.options);
  }

  /** Hands over each slice's whole rows once at least `min` bytes of them are buffered. */
  private async flush(min: number): Promise<void> {
    const slices = this.tr.slices;
    for (let i = 0; i < slices.length; i++) {
      const sb = slices[i] as SliceBuffer;
      if (sb.committed === 0 || sb.committed < min) continue;
      const { bytes, ends } = sb.takeCommitted();
      // takeCommitted() copied the rows into a buffer of their own, so it can be transferred whole
      // when it is not a view into Node's shared pool.
      const owned =
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
          ? (bytes.buffer as ArrayBuffer)
          : new Uint8Array(bytes).buffer;
      const endsArray = Uint32Array.from(ends);
      await this.send({ type: 'rows', slice: i, bytes: owned, ends: endsArray }, [owned, endsArray.buffer]);
    }
  }

  async chunk(bytes: Buffer): Promise<void> {
    this.tr.push(bytes);
    await this.flush(this.plan.flushBytes);
  }

  async end(): Promise<number> {
    if (!this.tr.atRowBoundary) throw new Error('COPY output ended inside a row');
    await this.flush(1);
    return this.tr.rows;
  }
}
