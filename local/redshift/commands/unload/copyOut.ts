import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { describeStatement } from '../../../postgres/describeStatement.ts';

/**
 * Streams the rows of a `COPY (...) TO STDOUT` the emulator built around a user's query. The
 * exact text first goes through PostgreSQL's parser as one prepared statement (which refuses a
 * second command), so the simple-protocol COPY that follows can only ever run that one statement.
 */
export async function copyOut(client: pg.ClientBase, sql: string): Promise<ReturnType<typeof copyTo>> {
  await describeStatement(client, sql);
  return client.query(copyTo(sql));
}
