import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  type DescribeStatementResponse,
  ExecuteStatementCommand,
  type Field,
  GetStatementResultCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { StatementAbortedError, StatementFailedError, TransientError } from '../errors.ts';
import type { RedshiftTarget } from '../job/common.ts';
import type { StatementStatus } from './pollDecision.ts';
import { targetParams } from './target.ts';

/**
 * A thin wrapper over the Redshift Data API: one function per call, typed results, and the
 * failures the state machine must tell apart turned into named errors. SQL parameter values are
 * never put into errors or logs.
 */

export interface StartOptions {
  target: RedshiftTarget;
  /** `rt:<job>:<runId>:<step>` (see statementName). */
  name: string;
  /** Derived from the run (see clientToken) so a retried start does not run the SQL twice. */
  clientToken: string;
}

/** Starts one statement; returns its id. */
export async function executeStatement(
  client: RedshiftDataClient,
  options: StartOptions & { sql: string; parameters?: Record<string, string> },
): Promise<string> {
  const out = await send(() =>
    client.send(
      new ExecuteStatementCommand({
        ...targetParams(options.target),
        Sql: options.sql,
        StatementName: options.name,
        ClientToken: options.clientToken,
        ...(options.parameters === undefined
          ? {}
          : { Parameters: Object.entries(options.parameters).map(([name, value]) => ({ name, value })) }),
      }),
    ),
  );
  if (out.Id === undefined) throw new TransientError('ExecuteStatement returned no statement id; retry.');
  return out.Id;
}

/** Starts 1-40 statements run serially in one transaction; returns the batch id (`<id>:<n>` for each). */
export async function batchExecuteStatement(
  client: RedshiftDataClient,
  options: StartOptions & { sqls: string[] },
): Promise<string> {
  const out = await send(() =>
    client.send(
      new BatchExecuteStatementCommand({
        ...targetParams(options.target),
        Sqls: options.sqls,
        StatementName: options.name,
        ClientToken: options.clientToken,
      }),
    ),
  );
  if (out.Id === undefined)
    throw new TransientError('BatchExecuteStatement returned no statement id; retry.');
  return out.Id;
}

export interface StatementDescription {
  id: string;
  status: StatementStatus;
  /** Redshift's own error text when FAILED. */
  error?: string | undefined;
  /** Rows returned or affected (UNLOAD, COPY, INSERT...); undefined when the API says -1. */
  resultRows?: number | undefined;
  hasResultSet: boolean;
  redshiftQueryId?: number | undefined;
  /** Nanoseconds, as the API reports it. */
  durationNs?: number | undefined;
  subStatements: {
    id: string;
    status: string;
    error?: string | undefined;
    resultRows?: number | undefined;
  }[];
}

/** One DescribeStatement, optionally long-polling up to `waitTimeSeconds` (1-30). */
export async function describeStatement(
  client: RedshiftDataClient,
  id: string,
  waitTimeSeconds?: number,
): Promise<StatementDescription> {
  const wait =
    waitTimeSeconds === undefined || waitTimeSeconds < 1
      ? undefined
      : Math.min(30, Math.floor(waitTimeSeconds));
  const out = await send(() =>
    client.send(
      new DescribeStatementCommand({ Id: id, ...(wait === undefined ? {} : { WaitTimeSeconds: wait }) }),
    ),
  );
  return toDescription(id, out);
}

export function toDescription(id: string, out: DescribeStatementResponse): StatementDescription {
  const rows = (n: number | undefined) => (n === undefined || n < 0 ? undefined : n);
  return {
    id: out.Id ?? id,
    status: (out.Status ?? 'SUBMITTED') as StatementStatus,
    error: out.Error,
    resultRows: rows(out.ResultRows),
    hasResultSet: out.HasResultSet ?? false,
    redshiftQueryId: out.RedshiftQueryId,
    durationNs: out.Duration,
    subStatements: (out.SubStatements ?? []).map((s) => ({
      id: s.Id ?? '',
      status: s.Status ?? 'SUBMITTED',
      error: s.Error,
      resultRows: rows(s.ResultRows),
    })),
  };
}

/**
 * Throws the named error for a FAILED or ABORTED statement: StatementFailedError carries
 * Redshift's `Error` text and the statement id (never the SQL parameters).
 */
export function throwIfUnsuccessful(d: StatementDescription, what = 'Statement'): void {
  if (d.status === 'FAILED') {
    const failedSub = d.subStatements.find((s) => s.status === 'FAILED');
    const error = d.error ?? failedSub?.error ?? 'no error text returned';
    throw new StatementFailedError(
      `${what} ${d.id} failed in Redshift: ${error}. Fix the SQL or the job document and run again.`,
      { context: { statementId: d.id, redshiftError: error, redshiftQueryId: d.redshiftQueryId } },
    );
  }
  if (d.status === 'ABORTED') {
    throw new StatementAbortedError(
      `${what} ${d.id} was aborted (cancelled by a user, by us at a deadline, or by Redshift). Start the run again if this was not intended.`,
      { context: { statementId: d.id } },
    );
  }
}

/**
 * Cancels a statement. Returns false when it had already ended (the Data API then answers with
 * a ValidationException), so cleanup can call it unconditionally.
 */
export async function cancelStatement(client: RedshiftDataClient, id: string): Promise<boolean> {
  try {
    const out = await client.send(new CancelStatementCommand({ Id: id }));
    return out.Status ?? false;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ValidationException' || name === 'ResourceNotFoundException') return false;
    throw toTransientIfRetryable(error);
  }
}

export type Cell = string | number | boolean | null;

/** Every record of a statement's result, following NextToken; Field unions become plain values. */
export async function* fetchResults(
  client: RedshiftDataClient,
  id: string,
): AsyncGenerator<{ columns: string[]; rows: Cell[][] }> {
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await send(() =>
      client.send(
        new GetStatementResultCommand({ Id: id, ...(token === undefined ? {} : { NextToken: token }) }),
      ),
    );
    yield {
      columns: (page.ColumnMetadata ?? []).map((c) => c.name ?? c.label ?? ''),
      rows: (page.Records ?? []).map((record) => record.map(fieldValue)),
    };
    nextToken = page.NextToken === '' ? undefined : page.NextToken;
  } while (nextToken !== undefined);
}

function fieldValue(f: Field): Cell {
  if (f.isNull) return null;
  if (f.stringValue !== undefined) return f.stringValue;
  if (f.longValue !== undefined) return f.longValue;
  if (f.doubleValue !== undefined) return f.doubleValue;
  if (f.booleanValue !== undefined) return f.booleanValue;
  if (f.blobValue !== undefined) return Buffer.from(f.blobValue).toString('base64');
  return null;
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'ActiveStatementsExceededException',
  'ActiveSessionsExceededException',
  'ActiveWaitingRequestsExceededException',
  'InternalServerException',
  'DatabaseConnectionException',
  'ServiceUnavailableException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
]);

/**
 * SDK errors worth retrying (throttling, 5xx, dropped connections) become TransientError so the
 * ASL's Retry with backoff handles them; everything else is rethrown unchanged.
 */
export function toTransientIfRetryable(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; code?: string }).$metadata;
  const code = (error as { code?: string }).code;
  const retryable =
    RETRYABLE.has(error.name) ||
    (code !== undefined && RETRYABLE.has(code)) ||
    (meta?.httpStatusCode !== undefined && meta.httpStatusCode >= 500);
  return retryable
    ? new TransientError(
        `Redshift Data API call failed transiently (${error.name}: ${error.message}); retrying.`,
        {
          cause: error,
        },
      )
    : error;
}

async function send<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toTransientIfRetryable(error);
  }
}
