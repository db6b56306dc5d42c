import { RedshiftSqlError } from '../types.ts';
import { CreditWindow, WorkerThread } from '../workerThread.ts';
import type {
  FromUnloadWorker,
  ToUnloadWorker,
  UnloadOutput,
  UnloadWorkerPlan,
} from './unloadWorkerMessages.ts';
import { CHUNK_CREDITS } from './unloadWorkerMessages.ts';

const ENTRY = new URL('./unloadWorker.mjs', import.meta.url);
// Room for the encoders' and transcoder's short-lived buffers (semi-spaces of 64 MB): fewer scavenges.
const YOUNG_GENERATION_MB = 192;
/** COPY chunks are batched to about this size per message (fewer messages, one copy each). */
const BATCH_BYTES = 256 * 1024;

/** Takes the worker's output on the main thread, one message at a time, in order. */
export type UnloadSink = (output: UnloadOutput) => Promise<void>;

/**
 * UNLOAD's per-row work on a second thread (the CSV/TEXT transcoder), so reading PostgreSQL,
 * compressing and uploading to S3 on this thread overlap it.
 * Resolves with the row count once the sink has taken every output; on failure or cancel the
 * worker is terminated and the error thrown (the caller aborts the files it opened).
 */
export async function unloadOnWorker(
  plan: UnloadWorkerPlan,
  source: AsyncIterable<Buffer>,
  sink: UnloadSink,
  signal: AbortSignal,
): Promise<number> {
  const thread = WorkerThread.acquire(ENTRY, YOUNG_GENERATION_MB);
  const post = (message: ToUnloadWorker, transfer: ArrayBuffer[] = []) => thread.post(message, transfer);
  const chunks = new CreditWindow(CHUNK_CREDITS);
  let resolveDone: (rows: number) => void = () => undefined;
  let rejectDone: (e: unknown) => void = () => undefined;
  const done = new Promise<number>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined); // observed below; the pump may fail first
  let failure: unknown;
  const fail = (e: unknown) => {
    if (failure !== undefined) return;
    failure = e;
    chunks.fail(e instanceof Error ? e : new Error(String(e)));
    rejectDone(e);
  };
  let chain = Promise.resolve();
  const step = (work: () => Promise<void>) => {
    chain = chain.then(() => (failure === undefined ? work() : undefined)).catch(fail);
  };
  const onMessage = (message: FromUnloadWorker) => {
    switch (message.type) {
      case 'write':
      case 'close':
      case 'rows':
        step(async () => {
          await sink(message);
          post({ type: 'credit' });
        });
        break;
      case 'parsed':
        chunks.give();
        break;
      case 'done':
        step(async () => resolveDone(message.rows));
        break;
      case 'error':
        step(async () => fail(new RedshiftSqlError(message.message, 'XX000')));
        break;
    }
  };
  const onAbort = () => fail(new RedshiftSqlError("Query cancelled on user's request", '57014'));
  thread.worker.on('message', onMessage);
  thread.onFailure(fail);
  signal.addEventListener('abort', onAbort, { once: true });
  let clean = false;
  try {
    post({ type: 'start', plan });
    const batch: Buffer[] = [];
    let batched = 0;
    const flush = async () => {
      if (batched === 0) return;
      await chunks.take();
      const bytes = new ArrayBuffer(batched);
      const view = new Uint8Array(bytes);
      let at = 0;
      for (const b of batch) {
        view.set(b, at);
        at += b.length;
      }
      batch.length = 0;
      batched = 0;
      post({ type: 'chunk', bytes }, [bytes]);
    };
    for await (const chunk of source) {
      if (failure !== undefined) throw failure;
      if (signal.aborted) throw new RedshiftSqlError("Query cancelled on user's request", '57014');
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= BATCH_BYTES) await flush();
    }
    await flush();
    post({ type: 'end' });
    const rows = await done;
    clean = true;
    return rows;
  } catch (e) {
    fail(e);
    throw failure;
  } finally {
    signal.removeEventListener('abort', onAbort);
    thread.worker.off('message', onMessage);
    await WorkerThread.release(thread, clean);
  }
}
