import type { S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { executeRedshiftCommand, SYSTEM_TABLES_DDL } from '../redshift/commands/index.ts';
import { commandComplete, errorResponse } from './wireMessages.ts';

export interface WireCommandsOptions {
  /** Any database URL of the engine: database and user are replaced by the connection's. */
  databaseUrl: string;
  database: string;
  user: string;
  s3: S3Client;
  slices: number;
  nextQueryId: () => number;
}

/**
 * UNLOAD and COPY of one wire connection, answered by the emulator (`executeRedshiftCommand`) on
 * a side connection of the same database and user, in its own transaction (UNLOAD reads committed
 * data; COPY commits on success). `run` answers the wire reply: CommandComplete, or an
 * ErrorResponse with the engine's SQLSTATE (XX000 when there is none).
 */
export function wireCommands(options: WireCommandsOptions): {
  run(sql: string): Promise<Buffer>;
  end(): Promise<void>;
} {
  const url = new URL(options.databaseUrl);
  url.pathname = `/${encodeURIComponent(options.database)}`;
  url.username = encodeURIComponent(options.user);
  let side: pg.Client | undefined;

  async function execute(sql: string): Promise<Buffer> {
    if (side === undefined) {
      side = new pg.Client(url.toString());
      await side.connect();
      // The tables UNLOAD/COPY record into (sys_unload_history, stl_load_errors...): idempotent DDL.
      for (const ddl of SYSTEM_TABLES_DDL) await side.query(ddl);
    }
    const conn = side;
    await conn.query('BEGIN');
    try {
      const result = await executeRedshiftCommand(sql, {
        client: conn,
        autonomous: async (text, values) => {
          const other = new pg.Client(url.toString());
          await other.connect();
          try {
            await other.query(text, values as unknown[] | undefined);
          } finally {
            await other.end();
          }
        },
        s3: options.s3,
        slices: options.slices,
        queryId: options.nextQueryId(),
        sessionId: (conn as unknown as { processID?: number }).processID ?? 0,
        database: options.database,
        user: options.user,
        signal: new AbortController().signal,
      });
      await conn.query('COMMIT');
      return commandComplete(/^\s*unload/i.test(sql) ? 'UNLOAD' : `COPY ${result.rows}`);
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => {});
      throw error;
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
      await side?.end().catch(() => {});
    },
  };
}
