/**
 * Every error the workflow raises on purpose. The `name` of each class is API: the state
 * machines' Retry/Catch blocks match on it (a test checks that every name the ASL mentions is
 * exported here), and users grep logs for it. Never rename one without changing the ASL.
 */

export interface ErrorContext {
  [key: string]: unknown;
}

export interface ErrorOptions {
  cause?: unknown;
  context?: ErrorContext;
}

/** The base of every named error. `context` carries fields for logs (never credentials). */
export class RedshiftTransferError extends Error {
  readonly context: ErrorContext;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RedshiftTransferError';
    this.context = options.context ?? {};
  }
}

/** A job document or a handler input failed validation; `issues` lists every problem by path. */
export class JobValidationError extends RedshiftTransferError {
  readonly issues: readonly string[];

  constructor(message: string, issues: readonly string[] = [], options: ErrorOptions = {}) {
    super(issues.length > 0 ? `${message}:\n  - ${issues.join('\n  - ')}` : message, options);
    this.name = 'JobValidationError';
    this.issues = issues;
  }
}

/** The process environment is missing a variable or has one of the wrong type. */
export class ConfigError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Input that would be unsafe in SQL text: a bad identifier, S3 URI, role ARN or KMS key id. */
export class SqlBuildError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'SqlBuildError';
  }
}

/** A Redshift statement ended FAILED; the message carries Redshift's own error text. */
export class StatementFailedError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'StatementFailedError';
  }
}

/** A Redshift statement ended ABORTED (cancelled by us, by a user or by the service). */
export class StatementAbortedError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'StatementAbortedError';
  }
}

/** A statement or an EMR step ran past the job's deadline and was cancelled. */
export class DeadlineExceededError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'DeadlineExceededError';
  }
}

/** Counts disagree: rows unloaded vs rows in parts, records in files vs rows staged or merged. */
export class RowCountMismatchError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'RowCountMismatchError';
  }
}

/** A manifest (UNLOAD's, COPY's or ours) is missing, unreadable or inconsistent with S3. */
export class ManifestError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'ManifestError';
  }
}

/** One part could not be processed (bad bytes, wrong record count, checksum mismatch). */
export class PartProcessingError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'PartProcessingError';
  }
}

/** A source file has a bad row: the message names the file, the line and the column. */
export class BadRecordError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'BadRecordError';
  }
}

/** A source file's header or column count does not match the target table. */
export class SchemaMismatchError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'SchemaMismatchError';
  }
}

/** COPY rejected rows; the message carries the stl_load_errors detail (file, line, column, reason). */
export class LoadError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'LoadError';
  }
}

/** Every source object of a load was already loaded (ledger hit): nothing to do. */
export class AlreadyLoadedError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'AlreadyLoadedError';
  }
}

/** A source prefix or list matched no object. */
export class NoSourceObjectsError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'NoSourceObjectsError';
  }
}

/** An EMR step ended FAILED, CANCELLED or INTERRUPTED; carries FailureDetails and the log file. */
export class SparkStepFailedError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'SparkStepFailedError';
  }
}

/** A transient condition worth retrying (throttling, a busy table, a dropped connection). */
export class TransientError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/**
 * The export's destination already holds data this run may not touch: another run's published
 * output (with `onExisting: fail`), another job's output, or objects no run of this job wrote.
 */
export class DestinationNotEmptyError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'DestinationNotEmptyError';
  }
}

/** A source object does not match what the job pinned (`etag`, `versionId`): nothing is loaded. */
export class SourceChangedError extends RedshiftTransferError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = 'SourceChangedError';
  }
}

/** Every error class, by name: the contract the state machines are checked against. */
export const errorClasses = {
  RedshiftTransferError,
  JobValidationError,
  ConfigError,
  SqlBuildError,
  StatementFailedError,
  StatementAbortedError,
  DeadlineExceededError,
  RowCountMismatchError,
  ManifestError,
  PartProcessingError,
  BadRecordError,
  SchemaMismatchError,
  LoadError,
  AlreadyLoadedError,
  NoSourceObjectsError,
  SparkStepFailedError,
  TransientError,
  DestinationNotEmptyError,
  SourceChangedError,
} as const;

export type ErrorName = keyof typeof errorClasses;
export const errorNames = Object.keys(errorClasses) as ErrorName[];
