import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { describeStatement } from '../../../postgres/describeStatement.ts';

type CopyOutStream = ReturnType<typeof copyTo>;

/**
 * Streams the rows of a `COPY (...) TO STDOUT` the emulator built around a user's query. The
 * exact text first goes through PostgreSQL's parser as one prepared statement (which refuses a
 * second command), so the simple-protocol COPY that follows can only ever run that one statement.
 * Read it through `stream.iterator({ destroyOnReturn: false })` and stop early with stopCopyOut.
 */
export async function copyOut(client: pg.ClientBase, sql: string): Promise<CopyOutStream> {
  await describeStatement(client, sql);
  return client.query(copyTo(sql));
}

/**
 * Stops a COPY TO the caller gave up on (an error, a cancel) and returns the session to idle.
 * Destroying the stream is not enough: pg-copy-streams then never reads the socket again and the
 * session's next query waits forever. So the backend's COPY is cancelled from another connection
 * (`cancel`, given the backend pid) and the rest of the output read and dropped until PostgreSQL's
 * error or end. A backend already idle ignores the cancel.
 */
export async function stopCopyOut(
  client: pg.ClientBase,
  stream: CopyOutStream,
  cancel: (pid: number) => Promise<void>,
): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return;
  stream.on('error', () => undefined);
  const ended = finished(stream).catch(() => undefined);
  stream.resume();
  const pid = (client as pg.ClientBase & { processID?: number }).processID;
  if (pid !== undefined) await cancel(pid).catch(() => undefined);
  await ended;
}
