import { Worker } from 'node:worker_threads';

/**
 * Plumbing shared by the commands that move CPU-bound work (Parquet decoding or encoding) to a
 * second thread: a worker started from a `.mjs` entry (which registers tsx, since a thread does
 * not inherit a loader registered through the API), a young generation sized for short-lived
 * values, one idle worker per entry kept for the next statement (starting one with the
 * TypeScript loader costs ~0.3 CPU s), termination on any failure, and a `live` count tests use
 * to prove no thread outlives a failed or cancelled statement.
 */
export class WorkerThread {
  readonly worker: Worker;
  private exitError: Error | undefined;
  private failureListener: ((e: Error) => void) | undefined;
  private closed = false;

  private static readonly open = new Set<WorkerThread>();

  /** Threads started through this module and not yet ended. */
  static get live(): number {
    return WorkerThread.open.size;
  }

  /** The threads of `entry` not yet ended. */
  static liveOf(entry: URL): number {
    return [...WorkerThread.open].filter((t) => t.entry.href === entry.href).length;
  }
  private static readonly idle = new Map<string, WorkerThread>();

  /** The idle worker for `entry` if there is one, else a new one. */
  static acquire(entry: URL, youngGenerationMb: number): WorkerThread {
    const idle = WorkerThread.idle.get(entry.href);
    WorkerThread.idle.delete(entry.href);
    if (idle && !idle.exitError) {
      idle.worker.ref();
      return idle;
    }
    return new WorkerThread(entry, youngGenerationMb);
  }

  /** After a statement: a worker that finished cleanly waits for the next one, any other ends. */
  static async release(thread: WorkerThread, clean: boolean): Promise<void> {
    thread.failureListener = undefined;
    const key = thread.entry.href;
    if (clean && !thread.exitError && !WorkerThread.idle.has(key)) {
      thread.worker.unref();
      WorkerThread.idle.set(key, thread);
      return;
    }
    await thread.close();
  }

  private constructor(
    private readonly entry: URL,
    youngGenerationMb: number,
  ) {
    this.worker = new Worker(entry, { resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } });
    WorkerThread.open.add(this);
    const failed = (e: Error) => {
      this.exitError ??= e;
      this.failureListener?.(e);
    };
    this.worker.on('error', failed);
    this.worker.on('exit', (code) => {
      // A thread that died on its own is gone (close() has nothing left to end).
      this.closed = true;
      WorkerThread.open.delete(this);
      failed(new Error(`The worker thread stopped (exit code ${code}).`));
    });
  }

  /** Calls `listener` when the thread fails or exits (at once if it already has). */
  onFailure(listener: ((e: Error) => void) | undefined): void {
    this.failureListener = listener;
    if (listener && this.exitError) listener(this.exitError);
  }

  post(message: unknown, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    WorkerThread.open.delete(this);
    this.failureListener = undefined;
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => undefined);
    await this.worker.terminate();
  }
}

/**
 * A window of at most `size` unacknowledged messages: `take()` waits while the window is full,
 * `give()` acknowledges one. Bounds the memory between two threads.
 */
export class CreditWindow {
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(private credits: number) {}

  async take(): Promise<void> {
    while (this.credits === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    if (this.failure) throw this.failure;
    this.credits--;
  }

  give(): void {
    this.credits++;
    this.wake();
  }

  /** Makes every waiting and later `take()` throw `e`. */
  fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
