import type { ResultColumn } from './columns.ts';

/** COPY BINARY chunks the main thread may have sent and the worker not yet parsed. */
export const CHUNK_CREDITS = 4;
/** File writes and closes the worker may have unacknowledged (row groups of up to ~32 MB). */
export const WRITE_CREDITS = 4;

export interface ParquetUnloadPlan {
  columns: ResultColumn[];
  /** Output streams rows go to, round-robin (1 for PARALLEL OFF). */
  slices: number;
  rowGroupBytes: number;
  maxFileSize: number;
}

export type ToParquetWorker =
  | { type: 'start'; plan: ParquetUnloadPlan }
  | { type: 'chunk'; bytes: ArrayBuffer }
  | { type: 'end' }
  | { type: 'credit' };

export type FromParquetWorker =
  | { type: 'write'; slice: number; part: number; bytes: ArrayBuffer }
  | { type: 'close'; slice: number; part: number; records: number }
  | { type: 'parsed' }
  | { type: 'done'; rows: number }
  | { type: 'error'; message: string };
