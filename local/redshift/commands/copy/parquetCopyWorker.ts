import { Worker } from 'node:worker_threads';
import type { CopyStatement } from '../parser/ast.ts';
import { RedshiftSqlError } from '../types.ts';
import type { ParquetSlowRow } from './parquetCopyText.ts';
import type { RangeReader } from './parquetRecords.ts';
import type { FromWorker, ToWorker } from './parquetWorkerMessages.ts';
import type { TargetColumn } from './targetColumns.ts';

/** Where a file's rows go on the main thread, in row order. */
export interface ParquetWorkerSink {
  text(bytes: Buffer, rows: number): Promise<void>;
  slow(rows: ParquetSlowRow[]): Promise<void>;
}

/**
 * COPY PARQUET's decoding and COPY-text encoding on a second thread: hyparquet's per-value
 * garbage is collected in the worker's own young generation (sized for it), and the PostgreSQL
 * stream and S3 reads on this thread overlap the decoding. One worker per statement (kept for the
 * next when it ends cleanly), files one after another; on any failure it is terminated.
 */
export class ParquetCopyWorker {
  private readonly worker: Worker;
  private exitError: Error | undefined;
  private onFailure: ((e: Error) => void) | undefined;
  private closed = false;

  /** Threads started and not yet terminated (tests check failures leave none behind). */
  static live = 0;
  private static idle: ParquetCopyWorker | undefined;

  /**
   * The idle worker if there is one (starting a thread with the TypeScript loader costs ~0.3 CPU
   * s, paid once per process this way), else a new one.
   */
  static acquire(): ParquetCopyWorker {
    const idle = ParquetCopyWorker.idle;
    ParquetCopyWorker.idle = undefined;
    if (idle && !idle.exitError) {
      idle.worker.ref();
      return idle;
    }
    return new ParquetCopyWorker();
  }

  /** After a statement: a worker that finished cleanly waits for the next one, any other ends. */
  static async release(worker: ParquetCopyWorker, clean: boolean): Promise<void> {
    if (clean && !worker.exitError && ParquetCopyWorker.idle === undefined) {
      worker.worker.unref();
      ParquetCopyWorker.idle = worker;
      return;
    }
    await worker.close();
  }

  private constructor() {
    this.worker = new Worker(new URL('./parquetCopyWorker.mjs', import.meta.url), {
      // Room for hyparquet's short-lived values (semi-spaces of 64 MB): fewer scavenges, which
      // took a third of the CPU on the main thread's default young generation.
      resourceLimits: { maxYoungGenerationSizeMb: 192 },
    });
    ParquetCopyWorker.live++;
    const failed = (e: Error) => {
      this.exitError ??= e;
      this.onFailure?.(e);
    };
    this.worker.on('error', failed);
    this.worker.on('exit', (code) => {
      // A thread that died on its own is gone: count it out once (close() will not).
      if (!this.closed) {
        this.closed = true;
        ParquetCopyWorker.live--;
      }
      failed(new Error(`The Parquet decoding thread stopped (exit code ${code}).`));
    });
  }

  /** Decodes one object; resolves once every row has been handed to the sink. */
  loadObject(
    cols: TargetColumn[],
    st: CopyStatement,
    url: string,
    size: number,
    read: RangeReader,
    sink: ParquetWorkerSink,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.exitError) return Promise.reject(this.exitError);
    const post = (message: ToWorker, transfer: ArrayBuffer[] = []) =>
      this.worker.postMessage(message, transfer);
    return new Promise<void>((resolve, reject) => {
      let chain = Promise.resolve();
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        this.worker.off('message', onMessage);
        signal.removeEventListener('abort', onAbort);
        this.onFailure = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => finish(new RedshiftSqlError("Query cancelled on user's request", '57014'));
      this.onFailure = (e) => finish(e);
      const step = (work: () => Promise<void>) => {
        chain = chain.then(work).catch((e: unknown) => {
          finish(e);
          return new Promise<void>(() => undefined);
        });
      };
      const onMessage = (message: FromWorker) => {
        switch (message.type) {
          case 'read':
            read(message.start, message.end).then(
              (bytes) => post({ type: 'range', id: message.id, bytes }, [bytes]),
              (e: unknown) =>
                post({ type: 'range', id: message.id, error: e instanceof Error ? e.message : String(e) }),
            );
            break;
          case 'text':
            step(async () => {
              await sink.text(Buffer.from(message.bytes, 0, message.length), message.rows);
              post({ type: 'credit' });
            });
            break;
          case 'slow':
            step(async () => {
              await sink.slow(message.rows);
              post({ type: 'credit' });
            });
            break;
          case 'done':
            step(async () => finish());
            break;
          case 'error':
            step(async () => finish(new Error(message.message)));
            break;
        }
      };
      this.worker.on('message', onMessage);
      signal.addEventListener('abort', onAbort, { once: true });
      post({ type: 'file', url, size, cols, st });
    });
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    ParquetCopyWorker.live--;
    this.onFailure = undefined;
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => undefined);
    await this.worker.terminate();
  }
}
