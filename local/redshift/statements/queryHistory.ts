import type pg from 'pg';
import { isTrivia, type Token } from '../sql/tokenize.ts';

/** One row of SYS_QUERY_HISTORY (SYS_QUERY_HISTORY.html), for a statement that ended. */
export interface QueryHistoryEntry {
  queryId: number;
  /** The session's query_group when the statement started (`SET query_group TO 'x'`). */
  label: string;
  sessionId: number;
  database: string;
  tokens: readonly Token[];
  status: 'success' | 'failed' | 'canceled';
  start: Date;
  end: Date;
  returnedRows: number;
  error?: string | undefined;
}

const TYPES: Readonly<Record<string, string>> = {
  select: 'SELECT',
  with: 'SELECT',
  values: 'SELECT',
  show: 'UTILITY',
  insert: 'INSERT',
  update: 'UPDATE',
  delete: 'DELETE',
  merge: 'MERGE',
  copy: 'COPY',
  unload: 'UNLOAD',
  create: 'DDL',
  alter: 'DDL',
  drop: 'DDL',
  truncate: 'DDL',
  comment: 'DDL',
  grant: 'DDL',
  revoke: 'DDL',
  set: 'UTILITY',
  reset: 'UTILITY',
  analyze: 'UTILITY',
  vacuum: 'UTILITY',
  begin: 'UTILITY',
  start: 'UTILITY',
  commit: 'UTILITY',
  end: 'UTILITY',
  rollback: 'UTILITY',
  abort: 'UTILITY',
  call: 'COMMAND',
  explain: 'COMMAND',
};

/**
 * The `query_type` Redshift shows for a statement: SELECT, INSERT, UPDATE, DELETE, MERGE, COPY,
 * UNLOAD, DDL, UTILITY, CTAS (CREATE TABLE ... AS), COMMAND or OTHER.
 */
export function queryType(tokens: readonly Token[]): string {
  const words = tokens.filter((t) => !isTrivia(t)).map((t) => t.text.toLowerCase());
  const first = words[0] ?? '';
  if (first === 'create' && words.includes('table') && words.includes('as')) {
    // CREATE TABLE t AS SELECT / CREATE TABLE t (LIKE x) AS ...: AS directly before SELECT or WITH.
    const as = words.findIndex(
      (w, i) => w === 'as' && (words[i + 1] === 'select' || words[i + 1] === 'with' || words[i + 1] === '('),
    );
    if (as !== -1) return 'CTAS';
  }
  if (first === 'select' && words.includes('into') && !words.includes('from')) return 'SELECT';
  return TYPES[first] ?? 'OTHER';
}

/** Redshift keeps the first 4,000 characters of the text. */
const QUERY_TEXT_LIMIT = 4000;

/**
 * Writes the row, outside the statement's transaction (a failed statement is kept too). The
 * history never changes a statement's outcome: a row that cannot be written is left out.
 */
export async function recordQueryHistory(
  write: (sql: string, params: unknown[]) => Promise<unknown>,
  e: QueryHistoryEntry,
): Promise<void> {
  const text = e.tokens
    .map((t) => t.text)
    .join('')
    .trim()
    .slice(0, QUERY_TEXT_LIMIT)
    // PostgreSQL's text cannot hold NUL; the statement itself is refused for it.
    .replaceAll('\u0000', '');
  try {
    await writeRow(write, e, text);
  } catch {
    // The statement's own result or error is what the caller reports.
  }
}

async function writeRow(
  write: (sql: string, params: unknown[]) => Promise<unknown>,
  e: QueryHistoryEntry,
  text: string,
): Promise<void> {
  const elapsed = Math.max(0, Math.round((e.end.getTime() - e.start.getTime()) * 1000));
  await write(
    `INSERT INTO public.sys_query_history (user_id, query_id, query_label, transaction_id, session_id, database_name,
       query_type, status, result_cache_hit, start_time, end_time, elapsed_time, queue_time, execution_time,
       error_message, returned_rows, returned_bytes, query_text)
     VALUES (100, $1, $2, 0, $3, $4, $5, $6, false, $7::timestamptz AT TIME ZONE 'UTC', $8::timestamptz AT TIME ZONE 'UTC',
       $9, 0, $9, $10, $11, 0, $12)`,
    [
      e.queryId,
      e.label,
      e.sessionId,
      e.database,
      queryType(e.tokens),
      e.status,
      e.start.toISOString(),
      e.end.toISOString(),
      elapsed,
      e.error?.slice(0, 512).replaceAll('\u0000', '') ?? null,
      e.returnedRows,
      text,
    ],
  );
}

/** The session's query_group, `default` when none is set (STL_QUERY's label), read before the statement runs. */
export async function currentQueryGroup(client: pg.ClientBase): Promise<string> {
  try {
    const { rows } = await client.query<{ g: string | null }>(
      "SELECT coalesce(current_setting('redshift.query_group', true), '') AS g",
    );
    return rows[0]?.g || 'default';
  } catch {
    // An aborted transaction answers nothing: the statement itself fails next.
    return 'default';
  }
}
