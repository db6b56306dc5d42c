import type pg from 'pg';
import { connectionLost, noteQueryError } from '../../postgres/enginePool.ts';
import type { CommandContext } from '../commands/types.ts';
import { MissingDatabaseError } from '../engine/databasePools.ts';
import { databaseUserOf } from '../engine/databaseUser.ts';
import { type Catalog, createCatalog, executeSql, StatementError } from '../statements/executeSql.ts';
import {
  type StatementRecord,
  type StatementStatus,
  type SubStatement,
  TERMINAL,
} from '../statements/statementRecord.ts';
import type { ServiceState } from './serviceState.ts';
import type { Session } from './sessions.ts';
import { trackResultMemory } from './statementStore.ts';

/**
 * Runs a submitted statement to its end: takes the session's connection or a pooled one
 * (PICKED), runs each SQL text (STARTED) and ends FINISHED, FAILED (a SQL error is a status, not
 * an exception) or ABORTED; then keeps, idles or releases the connection.
 */
export async function runStatement(
  state: ServiceState,
  record: StatementRecord,
  session: Session | undefined,
  keepAlive: number | undefined,
): Promise<void> {
  const started = process.hrtime.bigint();
  let client: pg.PoolClient | undefined;
  let pool: pg.Pool | undefined;
  let broken = false;
  try {
    if (session) client = session.client;
    else {
      try {
        pool = await state.options.pools.pool(record.connection.database);
        client = await pool.connect();
      } catch (error) {
        const message =
          error instanceof MissingDatabaseError
            ? `FATAL: database "${record.connection.database}" does not exist`
            : `ERROR: could not connect to database "${record.connection.database}": ${(error as Error).message}`;
        failAll(record, message);
        return;
      }
    }
    if (!session) await state.options.pools.roles.become(client, databaseUserOf(record.connection));
    record.redshiftPid = backendPid(client);
    setStatus(record, 'PICKED');
    await runOn(state, record, client, keepAlive !== undefined && keepAlive > 0);
  } catch (error) {
    // Only connection-level surprises reach here: the session is unusable afterwards.
    broken = true;
    failAll(record, `ERROR: ${(error as Error).message}`);
  } finally {
    record.durationNs = Number(process.hrtime.bigint() - started);
    record.activePid = undefined;
    if (client !== undefined && connectionLost(client)) broken = true;
    if (session) {
      if (broken) state.sessions.close(session.id);
      else state.sessions.idle(session, keepAlive);
    } else if (client) {
      const keep = keepAlive !== undefined && keepAlive > 0 && !broken && record.status !== 'ABORTED';
      if (keep) {
        const opened = state.sessions.open(client, record.connection, keepAlive, record.sessionId);
        record.sessionId = opened.id;
        state.sessions.idle(opened);
      } else {
        await releaseClean(client, broken);
      }
    }
    trackResultMemory(state, record);
  }
}

/**
 * Marks the statement cancelled and interrupts its backend. The statement may be between two
 * queries when the interrupt lands (then the flag stops it) or about to send one (then the
 * interrupt finds an idle backend): so the interrupt is repeated, in the background, until the
 * statement has ended (bounded: one minute).
 */
export async function requestCancel(
  state: ServiceState,
  record: StatementRecord,
  reason: string,
): Promise<void> {
  const { pools } = state.options;
  record.cancelRequested = true;
  record.abort.abort(new Error(reason));
  if (record.activePid !== undefined) await pools.cancelBackend(record.activePid);
  void (async () => {
    const deadline = Date.now() + 60_000;
    while (!TERMINAL.has(record.status) && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([record.done, new Promise((r) => (timer = setTimeout(r, 250)))]);
      clearTimeout(timer);
      if (!TERMINAL.has(record.status) && record.activePid !== undefined) {
        await pools.cancelBackend(record.activePid).catch(() => {});
      }
    }
  })();
}

function setStatus(record: StatementRecord, status: StatementStatus, sub?: SubStatement) {
  const now = new Date();
  record.status = status;
  record.updatedAt = now;
  if (sub) {
    sub.status = status;
    sub.updatedAt = now;
  }
}

/** Back to the pool without what the statement left in the session (temp tables, settings). */
async function releaseClean(client: pg.PoolClient, broken: boolean) {
  if (broken) {
    client.release(true);
    return;
  }
  try {
    await client.query('DISCARD ALL');
    client.release();
  } catch {
    client.release(true);
  }
}

async function runOn(
  state: ServiceState,
  record: StatementRecord,
  client: pg.PoolClient,
  keepsSession: boolean,
) {
  const transaction = record.isBatch && record.executionMode === 'TRANSACTION';
  const parameters = record.parameters ?? [];
  if (transaction) await client.query('BEGIN');
  let failed = false;
  let aborted = false;
  for (const sub of record.subs) {
    if (record.cancelRequested || (failed && transaction)) {
      // Statements after a failure or a cancel never run.
      sub.status = 'ABORTED';
      sub.updatedAt = new Date();
      if (record.cancelRequested) aborted = true;
      continue;
    }
    const t0 = process.hrtime.bigint();
    sub.queryId = ++state.queryCounter;
    setStatus(record, 'STARTED', sub);
    record.activePid = backendPid(client);
    try {
      const outcome = await executeSql({
        client,
        sql: sub.sql,
        parameters,
        commands: state.options.commands,
        catalog: catalogOf(state, record.connection.database),
        commandContext: () => commandContext(state, record, sub, client),
        maxResultBytes: state.options.maxResultBytes,
        recordQueryId:
          record.isBatch || record.sessionId !== undefined || keepsSession ? sub.queryId : undefined,
        history: { queryId: sub.queryId, write: (sql, params) => sideQuery(state, record, sql, params) },
      });
      sub.durationNs = Number(process.hrtime.bigint() - t0);
      if (record.cancelRequested) {
        aborted = true;
        sub.status = 'ABORTED';
        sub.updatedAt = new Date();
        continue;
      }
      sub.hasResultSet = outcome.hasResultSet;
      sub.resultRows = outcome.resultRows;
      sub.result = outcome.result;
      sub.resultSize = outcome.result?.size ?? -1;
      sub.status = 'FINISHED';
      sub.updatedAt = new Date();
    } catch (error) {
      sub.durationNs = Number(process.hrtime.bigint() - t0);
      noteQueryError(client, error);
      const code = (error as { code?: string }).code;
      if (record.cancelRequested || code === '57014') {
        aborted = true;
        sub.status = 'ABORTED';
        sub.error = undefined;
        sub.updatedAt = new Date();
        continue;
      }
      failed = true;
      sub.status = 'FAILED';
      // A syntax error names the 1-based character the parser stopped at, as Redshift's does.
      const { position, code: sqlState } = error as { position?: string; code?: string };
      const at = sqlState === '42601' && position ? ` Position: ${position}` : '';
      sub.error = `ERROR: ${(error as Error).message}${at}`;
      sub.updatedAt = new Date();
      if (!record.isBatch || transaction) record.error = sub.error;
      if (!transaction && record.isBatch) record.error ??= sub.error;
    }
  }
  record.activePid = undefined;
  if (transaction) {
    if (failed || aborted) await client.query('ROLLBACK');
    else await client.query('COMMIT');
  }
  if (aborted) setStatus(record, 'ABORTED');
  else if (failed) setStatus(record, 'FAILED');
  else setStatus(record, 'FINISHED');
}

function failAll(record: StatementRecord, message: string) {
  for (const sub of record.subs) {
    if (!TERMINAL.has(sub.status)) {
      sub.status = 'FAILED';
      sub.error = message;
      sub.updatedAt = new Date();
    }
  }
  record.error = message;
  setStatus(record, 'FAILED');
}

function catalogOf(state: ServiceState, database: string): Catalog {
  let c = state.catalogs.get(database);
  if (c === undefined) {
    c = createCatalog();
    state.catalogs.set(database, c);
  }
  return c;
}

/** A statement outside the session's transaction (SYS_QUERY_HISTORY rows). */
async function sideQuery(state: ServiceState, record: StatementRecord, sql: string, params: unknown[]) {
  return (await state.options.pools.sidePool(record.connection.database)).query(sql, params);
}

function commandContext(
  state: ServiceState,
  record: StatementRecord,
  sub: SubStatement,
  client: pg.PoolClient,
): CommandContext {
  const { s3 } = state.options;
  if (s3 === undefined) {
    throw new StatementError(
      'UNLOAD and COPY need the local S3: start the Data API server with an S3 endpoint (startRedshiftData({ s3Endpoint })).',
    );
  }
  const database = record.connection.database;
  return {
    client,
    autonomous: async (sql, params) => {
      const pool = await state.options.pools.sidePool(database);
      await pool.query(sql, params as unknown[] | undefined);
    },
    s3,
    slices: state.options.slices,
    queryId: sub.queryId,
    sessionId: backendPid(client),
    database,
    user: databaseUserOf(record.connection),
    signal: record.abort.signal,
  };
}

/** The engine backend of a connection (pg reads it from BackendKeyData; its types omit it). */
function backendPid(client: pg.ClientBase): number {
  return (client as unknown as { processID?: number }).processID ?? 0;
}
