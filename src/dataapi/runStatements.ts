import { randomUUID } from 'node:crypto';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { StatementFailedError } from '../errors.ts';
import type { RedshiftTarget } from '../job/common.ts';
import {
  batchExecuteStatement,
  type Cell,
  describeStatement,
  executeStatement,
  fetchResults,
  type StatementDescription,
} from './dataApi.ts';
import { pollStatement, startedStatement } from './pollStatement.ts';

/** A statement's result rows (GetStatementResult, every page). */
export interface ResultTable {
  columns: string[];
  rows: Cell[][];
}

export interface StatementOutcome {
  sql: string;
  /** Set when the statement returned rows. */
  result?: ResultTable;
  /** Rows returned or affected, when the Data API reports it. */
  rows?: number | undefined;
  error?: string;
}

export interface SqlRun {
  statements: StatementOutcome[];
  millis: number;
  ok: boolean;
}

/**
 * Runs statements through the Data API, one ExecuteStatement each (stopping at the first error)
 * or, with `batch`, one BatchExecuteStatement (one transaction), and waits with the long poll of
 * pollStatement. Every statement is labelled `<labelPrefix>:<uuid>` (StatementName; default
 * `rt:cli:sql`), so ListStatements tells them from a run's.
 */
export async function runSql(
  client: RedshiftDataClient,
  target: RedshiftTarget,
  sqls: string[],
  options: { batch: boolean; timeoutSeconds: number; labelPrefix?: string },
): Promise<SqlRun> {
  const started = Date.now();
  const label = `${options.labelPrefix ?? 'rt:cli:sql'}:${randomUUID()}`;
  const statements: StatementOutcome[] = [];
  const wait = async (id: string) => {
    let state = startedStatement(id, Date.now(), options.timeoutSeconds, 'sql');
    try {
      while (!state.done) state = await pollStatement(client, state);
    } catch (error) {
      if (!(error instanceof StatementFailedError)) throw error;
    }
    return describeStatement(client, id);
  };
  const outcome = async (
    sql: string,
    d: StatementDescription | StatementDescription['subStatements'][number],
    hasResultSet: boolean,
  ) => {
    const o: StatementOutcome = { sql, rows: d.resultRows };
    if (d.status === 'FAILED' || d.status === 'ABORTED') o.error = d.error ?? d.status;
    else if (hasResultSet) o.result = await collect(client, d.id);
    statements.push(o);
    return o;
  };
  if (options.batch) {
    const id = await batchExecuteStatement(client, { target, sqls, name: label, clientToken: randomUUID() });
    const d = await wait(id);
    for (const [i, sql] of sqls.entries()) {
      const sub = d.subStatements[i];
      if (sub === undefined) break;
      // A failed batch rolls back: the statements after the failing one never ran.
      if (sub.status !== 'FINISHED' && sub.status !== 'FAILED' && d.status === 'FAILED') break;
      const subDescription = sub.status === 'FINISHED' ? await describeStatement(client, sub.id) : undefined;
      await outcome(sql, sub, subDescription?.hasResultSet ?? false);
    }
    if (d.status === 'FAILED' && !statements.some((s) => s.error !== undefined))
      statements.push({ sql: '', error: d.error ?? 'the batch failed' });
  } else {
    for (const sql of sqls) {
      const id = await executeStatement(client, { target, sql, name: label, clientToken: randomUUID() });
      const d = await wait(id);
      if ((await outcome(sql, d, d.hasResultSet)).error !== undefined) break;
    }
  }
  return { statements, millis: Date.now() - started, ok: statements.every((s) => s.error === undefined) };
}

async function collect(client: RedshiftDataClient, id: string): Promise<ResultTable> {
  const table: ResultTable = { columns: [], rows: [] };
  for await (const page of fetchResults(client, id)) {
    if (table.columns.length === 0) table.columns = page.columns;
    for (const row of page.rows) table.rows.push(row);
  }
  return table;
}
