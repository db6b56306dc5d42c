import type { ResultColumn } from './columns.ts';
import type { TranscodeOptions } from './csvTranscoder.ts';

/** COPY chunks the main thread may have sent and the worker not yet handled. */
export const CHUNK_CREDITS = 4;
/** Output messages the worker may have unacknowledged (row groups of up to ~32 MB, 256 KB of CSV). */
export const WRITE_CREDITS = 4;

/** UNLOAD PARQUET: binary COPY in, Parquet files out (run by runUnloadJob on the statement's thread). */
export interface ParquetUnloadPlan {
  kind: 'parquet';
  columns: ResultColumn[];
  /** Output streams rows go to, round-robin (1 for PARALLEL OFF). */
  slices: number;
  rowGroupBytes: number;
  maxFileSize: number;
}

/** UNLOAD CSV/TEXT: PostgreSQL's CSV COPY in, Redshift's delimited rows per slice out. */
export interface CsvUnloadPlan {
  kind: 'csv';
  options: TranscodeOptions;
  /** A slice's rows are handed over once this many bytes are buffered. */
  flushBytes: number;
}

/** What the worker runs: the transcoder (UNLOAD PARQUET encodes on the statement's thread). */
export type UnloadWorkerPlan = CsvUnloadPlan;

export type ToUnloadWorker =
  | { type: 'start'; plan: UnloadWorkerPlan }
  | { type: 'chunk'; bytes: ArrayBuffer }
  | { type: 'end' }
  | { type: 'credit' };

/** What the worker hands to the main thread, in order, each acknowledged by a credit. */
export type UnloadOutput =
  /** Parquet: bytes of a slice's file `part`. */
  | { type: 'write'; slice: number; part: number; bytes: ArrayBuffer }
  /** Parquet: a file is complete with `records` rows. */
  | { type: 'close'; slice: number; part: number; records: number }
  /** CSV: whole rows of a slice; row i ends at `ends[i]` in `bytes`. */
  | { type: 'rows'; slice: number; bytes: ArrayBuffer; ends: Uint32Array };

export type FromUnloadWorker =
  | UnloadOutput
  | { type: 'parsed' }
  | { type: 'done'; rows: number }
  | { type: 'error'; message: string };
