import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';

/**
 * The contract between the Data API server (which owns sessions, transactions and the statement
 * lifecycle) and the Redshift-only commands it cannot hand to PostgreSQL as they are (UNLOAD,
 * COPY). The server calls `executeRedshiftCommand` for every statement that `isRedshiftCommand`
 * accepts, inside the same session and transaction it would have used for plain SQL.
 */
export interface CommandContext {
  /** The session's connection; inside the batch's transaction when the statement is part of one. */
  client: pg.ClientBase;
  /**
   * Runs SQL on a different connection of the same database, committed at once: for what
   * Redshift records even when the statement fails and rolls back (stl_load_errors,
   * sys_load_error_detail, sys_unload_history).
   */
  autonomous(sql: string, params?: unknown[]): Promise<void>;
  /** Client of the local S3 the stack runs (path-style, dummy credentials). */
  s3: S3Client;
  /** Simulated slices of the cluster: UNLOAD PARALLEL ON writes one file (at least) per slice. */
  slices: number;
  /** Redshift query id of this statement (pg_last_copy_id, stl_load_errors.query). */
  queryId: number;
  /** Session id and names, for the system tables. */
  sessionId: number;
  database: string;
  user: string;
  /** Aborted when the statement is cancelled (CancelStatement): stop reading/writing promptly. */
  signal: AbortSignal;
}

export interface CommandResult {
  /** Rows unloaded or loaded: the statement's ResultRows. */
  rows: number;
}

/**
 * A failure with Redshift's own wording, e.g.
 * `Load into table 'sales' failed. Check 'stl_load_errors' system table for details.`
 * The server turns it into a FAILED status with `Error` = `ERROR: <message>`.
 */
export class RedshiftSqlError extends Error {
  constructor(
    message: string,
    readonly code: string = 'XX000',
  ) {
    super(message);
    this.name = 'RedshiftSqlError';
  }
}
