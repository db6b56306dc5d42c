import type { UnloadOutput } from './unloadWorkerMessages.ts';

/** Hands one output message to the main thread (waits while too many are unacknowledged). */
export type SendOutput = (output: UnloadOutput, transfer?: ArrayBuffer[]) => Promise<void>;

/** The per-row work of one UNLOAD on the worker thread: COPY chunks in order, then the end. */
export interface UnloadJob {
  chunk(bytes: Buffer): Promise<void>;
  /** Flushes what is left; returns the row count. Fails if the COPY output ended inside a row. */
  end(): Promise<number>;
}
