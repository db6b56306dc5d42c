import type { CommandContext } from '../types.ts';

export interface LoadErrorRow {
  filename: string;
  line: number;
  colname: string;
  type: string;
  colLength: string;
  position: number;
  rawLine: string;
  rawFieldValue: string;
  code: number;
  reason: string;
}

const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

async function insertRows(ctx: CommandContext, head: string, rows: unknown[][]): Promise<void> {
  const params: unknown[] = [];
  const values = rows.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')})`);
  await ctx.autonomous(`${head} VALUES ${values.join(', ')}`, params);
}

/**
 * Writes rejected rows to stl_load_errors and sys_load_error_detail on the autonomous connection,
 * so they are there even though the COPY (and its transaction) rolls back.
 */
export async function recordLoadErrors(
  ctx: CommandContext,
  tableOid: number,
  started: Date,
  errors: LoadErrorRow[],
): Promise<void> {
  const start = started.toISOString();
  for (let i = 0; i < errors.length; i += 200) {
    const chunk = errors.slice(i, i + 200);
    await insertRows(
      ctx,
      `INSERT INTO public.stl_load_errors (userid, slice, tbl, starttime, session, query, filename, line_number,
         colname, type, col_length, position, raw_line, raw_field_value, err_code, err_reason)`,
      chunk.map((e) => [
        100,
        0,
        tableOid,
        start,
        ctx.sessionId,
        ctx.queryId,
        cut(e.filename, 256),
        e.line,
        cut(e.colname, 127),
        cut(e.type, 10),
        cut(e.colLength, 10),
        e.position,
        cut(e.rawLine, 1024),
        cut(e.rawFieldValue, 1024),
        e.code,
        cut(e.reason, 100),
      ]),
    );
    await insertRows(
      ctx,
      `INSERT INTO public.sys_load_error_detail (user_id, query_id, transaction_id, session_id, database_name,
         table_id, start_time, file_name, line_number, column_name, column_type, column_length, position,
         error_code, error_message)`,
      chunk.map((e) => [
        100,
        ctx.queryId,
        ctx.queryId,
        ctx.sessionId,
        cut(ctx.database, 64),
        tableOid,
        start,
        cut(e.filename, 256),
        e.line,
        cut(e.colname, 127),
        cut(e.type, 10),
        cut(e.colLength, 10),
        e.position,
        e.code,
        cut(e.reason, 512),
      ]),
    );
  }
}
