import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { executeRedshiftCommand, SYSTEM_TABLES_DDL } from '../redshift/commands/index.ts';
import { commandComplete, errorResponse } from './wireMessages.ts';
import { WireSideConnection, wireSideClient } from './wireSideClient.ts';

export interface WireCommandsOptions {
  /** Any database URL of the engine: database and user are replaced by the connection's. */
  databaseUrl: string;
  database: string;
  user: string;
  s3: S3Client;
  slices: number;
  nextQueryId: () => number;
  /** Ends backend `pid` and resolves once it is gone (pg_terminate_backend from another connection). */
  terminate: (pid: number) => Promise<void>;
}

/** Rejects what a connection asks for once it is closing: nothing new is opened then. */
const CLOSED = 'the connection is closing';

/**
 * UNLOAD and COPY of one wire connection, answered by the emulator (`executeRedshiftCommand`) on
 * a side connection of the same database and user, in its own transaction (UNLOAD reads committed
 * data; COPY commits on success). `run` answers the wire reply: CommandComplete, or an
 * ErrorResponse with the engine's SQLSTATE (XX000 when there is none).
 *
 * When the engine ends the side connection (wireSideClient), the command running gets the
 * engine's error (57P01) and the next command opens a new side connection. `end` resolves once
 * every side connection is closed, a running command's backend ended first.
 */
export function wireCommands(options: WireCommandsOptions): {
  run(sql: string): Promise<Buffer>;
  end(): Promise<void>;
} {
  const url = new URL(options.databaseUrl);
  url.pathname = `/${encodeURIComponent(options.database)}`;
  url.username = encodeURIComponent(options.user);
  const abort = new AbortController();
  const side = new WireSideConnection({
    url: url.toString(),
    // The tables UNLOAD/COPY record into (sys_unload_history, stl_load_errors...): idempotent DDL.
    setup: async (client) => {
      for (const ddl of SYSTEM_TABLES_DDL) await client.query(ddl);
    },
  });
  let running: pg.Client | undefined;
  /** The `autonomous` writes running now, each settled once its client is closed. */
  const others = new Set<Promise<void>>();

  async function autonomous(text: string, values: unknown[] | undefined): Promise<void> {
    if (abort.signal.aborted) throw new Error(CLOSED);
    const other = wireSideClient({ url: url.toString() }, () => {});
    const done = (async () => {
      try {
        await other.connect();
        await other.query(text, values);
      } finally {
        await other.end().catch(() => {});
      }
    })();
    const settled = done.then(
      () => {},
      () => {},
    );
    others.add(settled);
    void settled.then(() => others.delete(settled));
    return done;
  }

  async function execute(sql: string): Promise<Buffer> {
    try {
      const conn = await side.begin((client) => {
        // After the connect: `end` may have come while it ran, and would not see this command.
        if (abort.signal.aborted) throw new Error(CLOSED);
        running = client;
      });
      try {
        const result = await executeRedshiftCommand(sql, {
          client: conn,
          autonomous: (text, values) => autonomous(text, values as unknown[] | undefined),
          s3: options.s3,
          slices: options.slices,
          queryId: options.nextQueryId(),
          sessionId: (conn as unknown as { processID?: number }).processID ?? 0,
          database: options.database,
          user: options.user,
          signal: abort.signal,
        });
        await conn.query('COMMIT');
        return commandComplete(/^\s*unload/i.test(sql) ? 'UNLOAD' : `COPY ${result.rows}`);
      } catch (error) {
        side.failed(conn, error);
        await conn.query('ROLLBACK').catch(() => {});
        throw error;
      }
    } finally {
      running = undefined;
    }
  }

  return {
    run: async (sql) => {
      try {
        return await execute(sql);
      } catch (error) {
        const code = (error as { code?: string }).code;
        return errorResponse(
          typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : 'XX000',
          (error as Error).message,
        );
      }
    },
    end: async () => {
      abort.abort();
      const client = await side.current();
      // A command running would hold its backend past the client's goodbye (the engine reads it
      // only between statements): that backend is ended, and waited for.
      if (client !== undefined && running === client) {
        const pid = (client as unknown as { processID?: number }).processID;
        if (pid !== undefined) await options.terminate(pid).catch(() => {});
      }
      await side.end();
      await Promise.all(others);
    },
  };
}
