import type { CopyStatement } from '../parser/ast.ts';
import type { ParquetSlowRow } from './parquetCopyText.ts';
import type { TargetColumn } from './targetColumns.ts';

/** Messages the COPY PARQUET worker may have unacknowledged (text chunks of ~512 KB, slow rows). */
export const CREDITS = 4;

export type ToWorker =
  | { type: 'file'; url: string; size: number; cols: TargetColumn[]; st: CopyStatement }
  | { type: 'range'; id: number; bytes?: ArrayBuffer | undefined; error?: string | undefined }
  | { type: 'credit' };

export type FromWorker =
  | { type: 'read'; id: number; start: number; end: number }
  | { type: 'text'; bytes: ArrayBuffer; length: number; rows: number }
  | { type: 'slow'; rows: ParquetSlowRow[] }
  | { type: 'done' }
  | { type: 'error'; message: string };
