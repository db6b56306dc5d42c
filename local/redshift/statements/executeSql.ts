import type pg from 'pg';
import type { CommandContext } from '../commands/types.ts';
import type { RedshiftCommands } from '../engine/redshiftCommands.ts';
import {
  type ColumnMetadata,
  columnMetadata,
  type PgField,
  resultSize,
  type StoredResult,
} from '../results/resultSet.ts';
import { bindParameters, type SqlParameter } from '../sql/bindParameters.ts';
import { lowerDecimalArithmetic } from '../sql/lowerDecimalArithmetic.ts';
import { joinTokens, splitStatements, type Token, tokenize } from '../sql/tokenize.ts';
import { translateRedshiftSql } from '../sql/translateRedshiftSql.ts';
import { inTransactionBlock, probeOperands } from './probeOperands.ts';
import { currentQueryGroup, recordQueryHistory } from './queryHistory.ts';

/** pg hands back PostgreSQL's text output untouched: conversion happens per page, by type. */
const rawTypes = { getTypeParser: () => (value: string) => value };

export interface SqlOutcome {
  hasResultSet: boolean;
  /** Rows returned, or affected; -1 when the statement reports none (DDL). */
  resultRows: number;
  result?: StoredResult;
}

/** Names of types and tables for column metadata, cached per database. */
export interface Catalog {
  typeName(client: pg.ClientBase, oid: number): Promise<string>;
  tableOf(client: pg.ClientBase, tableId: number): Promise<{ schema: string; table: string } | undefined>;
}

export function createCatalog(): Catalog {
  const types = new Map<number, string>();
  const tables = new Map<number, { schema: string; table: string } | undefined>();
  return {
    async typeName(client, oid) {
      let name = types.get(oid);
      if (name === undefined) {
        const { rows } = await client.query<{ oid: number; typname: string }>(
          'SELECT oid::int AS oid, typname FROM pg_type',
        );
        for (const r of rows) types.set(r.oid, r.typname);
        name = types.get(oid) ?? 'unknown';
      }
      return name;
    },
    async tableOf(client, tableId) {
      if (tableId === 0) return undefined;
      if (!tables.has(tableId)) {
        const { rows } = await client.query<{ schema: string; table: string }>(
          'SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1',
          [tableId],
        );
        tables.set(tableId, rows[0]);
      }
      return tables.get(tableId);
    },
  };
}

export interface ExecuteSqlOptions {
  client: pg.ClientBase;
  sql: string;
  parameters: readonly SqlParameter[];
  commands: RedshiftCommands;
  catalog: Catalog;
  /** Builds the context of a Redshift-only command (UNLOAD, COPY). */
  commandContext: () => CommandContext;
  /** Largest result kept, in bytes of text. */
  maxResultBytes: number;
  /**
   * Redshift query id of this statement, recorded as `redshift.last_query_id` once it succeeds
   * (pg_last_query_id()) when the session outlives the statement (batches, sessions).
   */
  recordQueryId?: number | undefined;
  /** Records each statement in SYS_QUERY_HISTORY under `queryId`, through `write` (autonomous). */
  history?: { queryId: number; write: (sql: string, params: unknown[]) => Promise<unknown> } | undefined;
}

/** A failure with the text DescribeStatement shows in `Error`. */
export class StatementError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'StatementError';
  }
}

/**
 * Runs one Data API SQL text on a session: each `;`-separated statement is rewritten from
 * Redshift to PostgreSQL, handed to the Redshift commands when it is one of theirs, or run with
 * its `:name` parameters bound as `$n`. The outcome is the last statement's.
 */
export async function executeSql(options: ExecuteSqlOptions): Promise<SqlOutcome> {
  let statements: ReturnType<typeof splitStatements>;
  try {
    statements = splitStatements(tokenize(options.sql));
  } catch (error) {
    throw new StatementError(`syntax error: ${(error as Error).message}`, '42601');
  }
  let outcome: SqlOutcome = { hasResultSet: false, resultRows: -1 };
  for (const tokens of statements) {
    outcome = await withHistory(options, tokens, () => executeOne(options, tokens));
  }
  return outcome;
}

async function withHistory(
  options: ExecuteSqlOptions,
  tokens: readonly Token[],
  run: () => Promise<SqlOutcome>,
): Promise<SqlOutcome> {
  const { history, client } = options;
  if (history === undefined) return run();
  const label = await currentQueryGroup(client);
  const start = new Date();
  const entry = {
    queryId: history.queryId,
    label,
    sessionId: (client as unknown as { processID?: number }).processID ?? 0,
    database: (client as unknown as { database?: string }).database ?? '',
    tokens,
    start,
  };
  try {
    const outcome = await run();
    await recordQueryHistory(history.write, {
      ...entry,
      status: 'success',
      end: new Date(),
      returnedRows: outcome.hasResultSet ? outcome.resultRows : 0,
    });
    return outcome;
  } catch (error) {
    const canceled = (error as { code?: string }).code === '57014';
    await recordQueryHistory(history.write, {
      ...entry,
      status: canceled ? 'canceled' : 'failed',
      end: new Date(),
      returnedRows: 0,
      error: (error as Error).message,
    });
    throw error;
  }
}

async function executeOne(options: ExecuteSqlOptions, tokens: Token[]): Promise<SqlOutcome> {
  const { client, commands } = options;
  const original = joinTokens(tokens).trim();
  if (commands.isRedshiftCommand(original)) {
    // The command owns its atomicity (the contract's `client` is in a transaction only in a batch).
    const { rows } = await commands.executeRedshiftCommand(original, options.commandContext());
    return { hasResultSet: false, resultRows: rows };
  }
  const rewritten = await translateRedshiftSql(tokens);
  if (rewritten.noop) return { hasResultSet: false, resultRows: -1 };
  const bound = bindParameters(rewritten.tokens, options.parameters);
  // Redshift's TRUNCATE commits the open transaction and itself: a later failure in the same
  // batch no longer rolls either back. The caller's transaction goes on in a new block.
  if (rewritten.outsideTransactionOnly !== false && inTransactionBlock(client)) {
    throw new StatementError(
      `${rewritten.outsideTransactionOnly} cannot run inside a transaction block`,
      '25001',
    );
  }
  const commitAround = rewritten.implicitCommit && inTransactionBlock(client);
  if (commitAround) await client.query('COMMIT');
  let res: pg.QueryResult<(string | null)[]>;
  try {
    // Redshift's DECIMAL result types need the operands' types: a probe, only for DECIMAL arithmetic.
    const text = await lowerDecimalArithmetic(bound.text, (sql) => probeOperands(client, sql));
    res = (await client.query({
      text,
      values: bound.values,
      rowMode: 'array',
      types: rawTypes,
    })) as unknown as pg.QueryResult<(string | null)[]>;
  } catch (error) {
    throw redshiftError(error);
  } finally {
    if (commitAround) await client.query('COMMIT').then(() => client.query('BEGIN'));
  }
  const outcome = await toOutcome(res, options);
  if (options.recordQueryId !== undefined) {
    await client.query("SELECT set_config('redshift.last_query_id', $1, false)", [
      String(options.recordQueryId),
    ]);
  }
  return outcome;
}

/**
 * PostgreSQL errors whose Redshift counterpart has other words. An explicit value for an
 * IDENTITY(seed, step) column (GENERATED ALWAYS here) is refused on Redshift with
 * "cannot set an identity column to a value"; a MERGE matching a target row twice, with
 * "Found multiple matches to update the same tuple."; a DECIMAL overflow is "Numeric data overflow".
 */
function redshiftError(error: unknown): unknown {
  const { code, message } = error as { code?: string; message?: string };
  if (code === '428C9') return new StatementError('cannot set an identity column to a value', code);
  // A MERGE whose target row matches several source rows (r_MERGE usage notes, aws-facts).
  if (code === '21000' && /MERGE command cannot affect row a second time/.test(message ?? ''))
    return new StatementError('Found multiple matches to update the same tuple.', code);
  // A value that does not fit DECIMAL(p, s) (r_numeric_computations201, "Overflow conditions").
  if (code === '22003' && message === 'numeric field overflow')
    return new StatementError('Numeric data overflow (result precision)', code);
  return error;
}

async function toOutcome(
  res: pg.QueryResult<(string | null)[]>,
  options: ExecuteSqlOptions,
): Promise<SqlOutcome> {
  // pg returns an array of results for a multi-command simple query; the last one counts.
  const last = Array.isArray(res) ? (res[res.length - 1] as pg.QueryResult<(string | null)[]>) : res;
  const fields = (last.fields ?? []) as unknown as PgField[];
  if (fields.length === 0) {
    return { hasResultSet: false, resultRows: last.rowCount ?? -1 };
  }
  const size = resultSize(last.rows);
  if (size > options.maxResultBytes) {
    throw new StatementError(
      `Query result size ${size} bytes exceeds the Data API limit of ${options.maxResultBytes} bytes. UNLOAD large results to S3 instead.`,
    );
  }
  const columns: ColumnMetadata[] = [];
  for (const f of fields) {
    const typeName = await options.catalog.typeName(options.client, f.dataTypeID);
    const table = await options.catalog.tableOf(options.client, f.tableID);
    columns.push(columnMetadata(f, typeName, table));
  }
  return {
    hasResultSet: true,
    resultRows: last.rows.length,
    result: { columns, typeIds: fields.map((f) => f.dataTypeID), rows: last.rows, size },
  };
}
