import { RedshiftSqlError } from '../types.ts';
import type { UnloadOutput } from './unloadWorkerMessages.ts';

/** Hands one output message to the files (from the worker: waits while too many are unacknowledged). */
export type SendOutput = (output: UnloadOutput, transfer?: ArrayBuffer[]) => Promise<void>;

/** The per-row work of one UNLOAD (on this thread, or the TEXT/CSV transcoder's worker): COPY chunks in order, then the end. */
export interface UnloadJob {
  chunk(bytes: Buffer): Promise<void>;
  /** Flushes what is left; returns the row count. Fails if the COPY output ended inside a row. */
  end(): Promise<number>;
}

/**
 * Runs `job` over the COPY chunks on this thread (UNLOAD PARQUET: measured cheaper than the worker
 * thread, which a process's first UNLOAD paid ~0.3-0.6 CPU s to start; docs/local-stack.md).
 * Resolves with the row count; a cancel stops it between chunks.
 */
export async function runUnloadJob(
  job: UnloadJob,
  source: AsyncIterable<Buffer>,
  signal: AbortSignal,
): Promise<number> {
  for await (const chunk of source) {
    if (signal.aborted) throw new RedshiftSqlError("Query cancelled on user's request", '57014');
    await job.chunk(chunk);
  }
  return job.end();
}
