import type { Socket } from 'node:net';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { describeStatement } from '../../../postgres/describeStatement.ts';
import type { RowSink } from './copyDataScanner.ts';
import { CopyDataScanner } from './copyDataScanner.ts';

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

/** The part of pg's Connection a query submitted to the client gets (pg-copy-streams uses the same). */
interface PgConnection {
  stream: Socket;
  query(text: string): void;
}

/**
 * A query submitted to pg that takes the socket over while PostgreSQL sends the COPY's output,
 * reads it chunk by chunk as its reader asks, and gives pg's own handler the bytes from the
 * message that ends the copy (CopyDone, or an error) on, as pg-copy-streams does.
 */
class RawCopyOut {
  private connection: PgConnection | undefined;
  private pgDataHandler: ((chunk: Buffer) => void) | undefined;
  private wake: (() => void) | undefined;
  private settled = false;
  readonly done: Promise<void>;
  private resolve: () => void = () => undefined;
  private reject: (e: unknown) => void = () => undefined;

  constructor(readonly text: string) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => undefined); // awaited by copyOutRows; may fail before it gets there
  }

  submit(connection: PgConnection): void {
    this.connection = connection;
    const stream = connection.stream;
    const handlers = stream.listeners('data');
    if (handlers.length !== 1) throw new Error('pg connection has no single data handler to take over');
    this.pgDataHandler = handlers[0] as (chunk: Buffer) => void;
    stream.removeListener('data', this.pgDataHandler);
    stream.pause();
    stream.on('readable', this.onReadable);
    connection.query(this.text);
    this.onReadable();
  }

  /** Wakes the reader: data came, the query settled, it was submitted, or the caller gave up. */
  readonly onReadable = () => {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };

  /**
   * The next chunk of the socket; undefined once the query failed (the connection ended). Throws
   * `stop()`'s error when `stop` returns one (checked whenever the reader wakes).
   */
  async read(stop: () => Error | undefined): Promise<Buffer | undefined> {
    for (;;) {
      const stopped = stop();
      if (stopped) throw stopped;
      if (this.settled) return undefined;
      // pg submits queries in turn: until then there is no socket to read.
      const chunk = this.connection ? (this.connection.stream.read() as Buffer | null) : null;
      if (chunk !== null) return chunk;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Gives pg back the socket, starting with `rest` (the message that ended the copy and what follows). */
  handBack(rest: Buffer): void {
    const stream = (this.connection as PgConnection).stream;
    const handler = this.pgDataHandler as (chunk: Buffer) => void;
    stream.removeListener('readable', this.onReadable);
    stream.addListener('data', handler);
    if (rest.length > 0) handler(rest);
    // pause() above stopped the flow; more of pg's messages may be buffered in the socket.
    process.nextTick(() => stream.resume());
  }

  handleError(err: unknown): void {
    this.settled = true;
    this.reject(err);
    this.onReadable();
  }

  // Not sent in reply to a COPY TO; present because pg calls them on the active query.
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}

  handleReadyForQuery(): void {
    this.settled = true;
    this.resolve();
    this.onReadable();
  }
}

export interface CopyOutRowsOptions {
  sink: RowSink;
  /** Runs after each chunk of the socket; the next is read once it resolves. */
  drain: () => Promise<void>;
  /** Cancels the backend's statement (given its pid), from another connection. */
  cancel: (pid: number) => Promise<void>;
  signal: AbortSignal;
  /** The error an abort of `signal` fails with. */
  aborted: () => Error;
}

/**
 * Runs a `COPY (...) TO STDOUT` and hands its rows to `sink` straight from the socket's bytes
 * (CopyDataScanner): unlike copyOut's stream, no per-row buffers and no parsing of the rows. After each chunk `drain` runs (the
 * caller writes out what it has); the next chunk is read only when it is done, so backpressure
 * reaches PostgreSQL through TCP. The exact text is first described as one prepared statement, as
 * in copyOut, so only that one statement can run. When `drain` fails or `signal` aborts (even while
 * PostgreSQL has sent nothing yet; the error is `aborted()`), the backend's COPY is cancelled
 * (`cancel`, given its pid) and the rest of its output read and dropped: the session is idle again
 * when the error is rethrown.
 */
export async function copyOutRows(
  client: pg.ClientBase,
  sql: string,
  { sink, drain, cancel, signal, aborted }: CopyOutRowsOptions,
): Promise<void> {
  await describeStatement(client, sql);
  const copy = new RawCopyOut(sql);
  client.query(copy as unknown as pg.QueryConfig);
  const scanner = new CopyDataScanner();
  let stop = () => (signal.aborted ? aborted() : undefined);
  signal.addEventListener('abort', copy.onReadable);
  const readToEnd = async (to: RowSink | undefined, each: () => Promise<void>) => {
    for (;;) {
      const chunk = await copy.read(stop);
      if (chunk === undefined) return;
      const end = scanner.scan(chunk, to);
      if (end >= 0) {
        copy.handBack(chunk.subarray(end));
        return;
      }
      await each();
    }
  };
  try {
    await readToEnd(sink, drain);
  } catch (err) {
    stop = () => undefined;
    if (!scanner.ended) {
      const pid = (client as pg.ClientBase & { processID?: number }).processID;
      if (pid !== undefined) await cancel(pid).catch(() => undefined);
      await readToEnd(undefined, async () => undefined);
    }
    await copy.done.catch(() => undefined);
    throw err;
  } finally {
    signal.removeEventListener('abort', copy.onReadable);
  }
  await copy.done;
}
