import { randomUUID } from 'node:crypto';
import { activeStatementsExceeded, DataApiError, validation } from '../api/dataApiError.ts';
import {
  type BatchExecuteStatementInput,
  checkTarget,
  type ExecuteStatementInput,
  LIMITS,
} from '../api/inputSchemas.ts';
import { dbUserProblem } from '../engine/databaseUser.ts';
import type { SqlParameter } from '../sql/bindParameters.ts';
import { bindParameters } from '../sql/bindParameters.ts';
import { splitStatements, tokenize } from '../sql/tokenize.ts';
import {
  type ConnectionInfo,
  epochSeconds,
  newSubStatement,
  type StatementRecord,
  TERMINAL,
} from '../statements/statementRecord.ts';
import { runStatement } from './runStatement.ts';
import { checkKnownTarget, type Json, type ServiceState } from './serviceState.ts';
import type { Session } from './sessions.ts';
import { sweep, waitFor } from './statementStore.ts';

/**
 * ExecuteStatement (one SQL text) and BatchExecuteStatement (several): the call returns as soon
 * as the statement is recorded (SUBMITTED), or after WaitTimeSeconds; it runs in the background.
 * A repeated ClientToken answers the statement it first submitted.
 */
export async function submitStatement(
  state: ServiceState,
  input: ExecuteStatementInput | BatchExecuteStatementInput,
  sqls: string[],
  isBatch: boolean,
  executionMode: 'TRANSACTION' | 'AUTO_COMMIT' | undefined,
): Promise<Json> {
  if (state.closed) throw new DataApiError('InternalServerException', 500, 'The server is shutting down.');
  sweep(state);
  const cached = input.ClientToken === undefined ? undefined : state.clientTokens.get(input.ClientToken);
  if (cached !== undefined) {
    const record = state.statements.get(cached.id);
    if (record !== undefined) return submitOutput(record);
  }

  let session: Session | undefined;
  if (input.SessionId !== undefined) {
    session = state.sessions.get(input.SessionId);
    if (session === undefined) {
      throw validation(`Session ${input.SessionId} is not available: it has expired or never existed.`);
    }
    if (
      input.ClusterIdentifier !== undefined ||
      input.WorkgroupName !== undefined ||
      input.Database !== undefined
    ) {
      throw validation('SessionId cannot be combined with ClusterIdentifier, WorkgroupName or Database.');
    }
    if (session.busy) {
      throw validation(
        `Session ${session.id} is busy running statement ${session.currentStatementId}. Wait for it to finish.`,
      );
    }
  } else {
    checkTarget(input);
    checkKnownTarget(state.options, input);
    const badUser = input.DbUser === undefined ? undefined : dbUserProblem(input.DbUser);
    if (badUser !== undefined) throw validation(badUser);
  }
  for (const sql of sqls) {
    if (Buffer.byteLength(sql) > LIMITS.maxSqlBytes) {
      throw validation(
        `The SQL statement is ${Buffer.byteLength(sql)} bytes; the maximum is ${LIMITS.maxSqlBytes} bytes (100 KB). Split it, or stage the data in S3 and COPY it.`,
      );
    }
    if (sql.trim() === '') throw validation('Sql must not be empty or blank.');
  }
  const parameters: SqlParameter[] = (input.Parameters ?? []).map((p) => ({
    name: p.name,
    value: p.value,
  }));
  checkParameters(sqls, parameters);

  const active = [...state.statements.values()].filter((s) => !TERMINAL.has(s.status)).length;
  if (active >= LIMITS.maxActiveStatements) throw activeStatementsExceeded(LIMITS.maxActiveStatements);

  const id = randomUUID();
  const now = new Date();
  const connection: ConnectionInfo = session?.connection ?? {
    database: input.Database ?? state.options.defaultDatabase,
    clusterIdentifier: input.ClusterIdentifier,
    workgroupName: input.WorkgroupName,
    dbUser: input.DbUser,
    secretArn: input.SecretArn,
  };
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const record: StatementRecord = {
    id,
    isBatch,
    executionMode,
    connection,
    statementName: input.StatementName,
    parameters: input.Parameters === undefined ? undefined : parameters,
    resultFormat: input.ResultFormat ?? 'JSON',
    // A new session's id is known at once, as on AWS, so the submit answer carries it (Airflow
    // reads it there); the session opens under that id when the statement ends.
    sessionId:
      session?.id ??
      (input.SessionKeepAliveSeconds !== undefined && input.SessionKeepAliveSeconds > 0
        ? randomUUID()
        : undefined),
    status: 'SUBMITTED',
    createdAt: now,
    updatedAt: now,
    durationNs: 0,
    redshiftPid: 0,
    subs: sqls.map((sql, k) => newSubStatement(isBatch ? `${id}:${k + 1}` : id, sql, now)),
    done,
    cancelRequested: false,
    abort: new AbortController(),
  };
  state.statements.set(id, record);
  if (input.ClientToken !== undefined) state.clientTokens.set(input.ClientToken, { id, at: Date.now() });
  if (session) state.sessions.begin(session, id);

  const run = runStatement(state, record, session, input.SessionKeepAliveSeconds).finally(() => resolve());
  state.running.add(run);
  void run.finally(() => state.running.delete(run));

  if (input.WaitTimeSeconds !== undefined && input.WaitTimeSeconds > 0) {
    await waitFor(record, input.WaitTimeSeconds);
  }
  return submitOutput(record);
}

function submitOutput(record: StatementRecord): Json {
  const c = record.connection;
  return {
    Id: record.id,
    CreatedAt: epochSeconds(record.createdAt),
    ClusterIdentifier: c.clusterIdentifier,
    WorkgroupName: c.workgroupName,
    Database: c.database,
    DbUser: c.dbUser,
    SecretArn: c.secretArn,
    DbGroups: [],
    SessionId: record.sessionId,
    Status: record.status,
    RedshiftPid: record.redshiftPid || undefined,
    HasResultSet: TERMINAL.has(record.status) ? record.subs.some((s) => s.hasResultSet) : undefined,
  };
}

/** Every parameter must be used, and no SQL may reference one that was not given. */
function checkParameters(sqls: readonly string[], parameters: readonly SqlParameter[]) {
  if (parameters.length === 0) return;
  const names = new Set<string>();
  for (const p of parameters) {
    if (names.has(p.name)) throw validation(`Parameter "${p.name}" is given more than once.`);
    names.add(p.name);
  }
  const used = new Set<string>();
  for (const sql of sqls) {
    let tokens: ReturnType<typeof tokenize>;
    try {
      tokens = tokenize(sql);
    } catch {
      continue; // The statement fails with the syntax error when it runs.
    }
    for (const stmt of splitStatements(tokens)) {
      for (const name of bindParameters(stmt, parameters).used) used.add(name);
    }
  }
  const unused = [...names].filter((n) => !used.has(n));
  if (unused.length > 0) {
    throw validation(
      `Parameter${unused.length > 1 ? 's' : ''} ${unused.map((n) => `"${n}"`).join(', ')} ${unused.length > 1 ? 'are' : 'is'} not used in the SQL. Reference each parameter as :name or remove it.`,
    );
  }
}
