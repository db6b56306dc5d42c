import type { CopyStatement } from '../parser/ast.ts';
import { RedshiftSqlError } from '../types.ts';
import { WorkerThread } from '../workerThread.ts';
import type { ParquetSlowRow } from './parquetCopyText.ts';
import type { RangeReader } from './parquetRecords.ts';
import type { FromWorker, ToWorker } from './parquetWorkerMessages.ts';
import type { TargetColumn } from './targetColumns.ts';

const ENTRY = new URL('./parquetCopyWorker.mjs', import.meta.url);

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
  /** Threads started and not yet terminated (tests check failures leave none behind). */
  static get live(): number {
    return WorkerThread.liveOf(ENTRY);
  }

  /** The idle worker if there is one, else a new one (see WorkerThread.acquire). */
  static acquire(): ParquetCopyWorker {
    // Room for hyparquet's short-lived values (semi-spaces of 64 MB): fewer scavenges, which
    // took a third of the CPU on the main thread's default young generation.
    return new ParquetCopyWorker(WorkerThread.acquire(ENTRY, 192));
  }

  /** After a statement: a worker that finished cleanly waits for the next one, any other ends. */
  static release(worker: ParquetCopyWorker, clean: boolean): Promise<void> {
    return WorkerThread.release(worker.thread, clean);
  }

  private constructor(private readonly thread: WorkerThread) {}

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
    const post = (message: ToWorker, transfer: ArrayBuffer[] = []) => this.thread.post(message, transfer);
    return new Promise<void>((resolve, reject) => {
      let chain = Promise.resolve();
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        this.thread.worker.off('message', onMessage);
        signal.removeEventListener('abort', onAbort);
        this.thread.onFailure(undefined);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => finish(new RedshiftSqlError("Query cancelled on user's request", '57014'));
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
      this.thread.worker.on('message', onMessage);
      signal.addEventListener('abort', onAbort, { once: true });
      // A thread that already failed rejects at once (finish() is then a no-op for the post).
      this.thread.onFailure((e) => finish(e));
      if (!settled) post({ type: 'file', url, size, cols, st });
    });
  }
}
