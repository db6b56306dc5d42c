import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { z } from 'zod';
import type { RawJson } from '../../http/startAwsJsonServer.ts';
import { activeStatementsExceeded, DataApiError, notFound, validation } from '../api/dataApiError.ts';
import {
  type BatchExecuteStatementInput,
  batchExecuteStatementInput,
  cancelStatementInput,
  catalogInput,
  checkTarget,
  describeStatementInput,
  type ExecuteStatementInput,
  executeStatementInput,
  getStatementResultInput,
  LIMITS,
  listStatementsInput,
  parseInput,
} from '../api/inputSchemas.ts';
import {
  EMULATED_SYSTEM_RELATIONS,
  emulatedSystemRelation,
  userRelation,
  userSchema,
} from '../commands/systemTables.ts';
import type { CommandContext } from '../commands/types.ts';
import { type DatabasePools, MissingDatabaseError } from '../engine/databasePools.ts';
import type { RedshiftCommands } from '../engine/redshiftCommands.ts';
import { csvPage, jsonPage } from '../results/resultSet.ts';
import type { SqlParameter } from '../sql/bindParameters.ts';
import { bindParameters } from '../sql/bindParameters.ts';
import { splitStatements, tokenize } from '../sql/tokenize.ts';
import { type Catalog, createCatalog, executeSql, StatementError } from '../statements/executeSql.ts';
import {
  type ConnectionInfo,
  epochSeconds,
  newSubStatement,
  type StatementRecord,
  type StatementStatus,
  type SubStatement,
  TERMINAL,
} from '../statements/statementRecord.ts';
import { type Session, Sessions } from './sessions.ts';

export interface DataApiServiceOptions {
  pools: DatabasePools;
  commands: RedshiftCommands;
  /** Database used when a request names none. */
  defaultDatabase: string;
  /** Client of the local S3, for UNLOAD/COPY. */
  s3?: S3Client | undefined;
  /** Simulated slices (UNLOAD PARALLEL writes one file per slice). */
  slices: number;
  /** Approximate JSON bytes per GetStatementResult page. */
  resultPageBytes: number;
  /** Largest result one statement may keep (the service's limit is 500 MB). */
  maxResultBytes: number;
  /** Results of all statements kept in memory together; the oldest are dropped past it. */
  resultMemoryBytes: number;
  /** How long statements and their results are kept (the service keeps them 24 h). */
  retentionMs: number;
  /** When set, only these cluster identifiers / workgroup names are accepted. */
  clusters?: readonly string[] | undefined;
  workgroups?: readonly string[] | undefined;
}

type Json = Record<string, unknown>;
type CatalogInput = z.infer<typeof catalogInput>;

const ID_PATTERN = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d{1,2})?$/;

/**
 * The Data API's operations over the engine. Statements run asynchronously: a call returns as
 * soon as the statement is recorded (SUBMITTED), the statement then takes a pooled connection
 * (PICKED), runs (STARTED) and ends FINISHED, FAILED (a SQL error is a status, not an exception)
 * or ABORTED (CancelStatement).
 */
export class DataApiService {
  private readonly statements = new Map<string, StatementRecord>();
  private readonly clientTokens = new Map<string, { id: string; at: number }>();
  private readonly sessions = new Sessions();
  private readonly catalogs = new Map<string, Catalog>();
  private readonly running = new Set<Promise<void>>();
  private queryCounter = 1000;
  private resultBytes = 0;
  private closed = false;

  constructor(private readonly options: DataApiServiceOptions) {}

  /** Dispatches one operation; unknown names are UnknownOperationException, as AWS answers. */
  async call(operation: string, body: unknown): Promise<Json | RawJson> {
    switch (operation) {
      case 'ExecuteStatement':
        return this.executeStatement(parseInput(executeStatementInput, body));
      case 'BatchExecuteStatement':
        return this.batchExecuteStatement(parseInput(batchExecuteStatementInput, body));
      case 'DescribeStatement':
        return this.describeStatement(parseInput(describeStatementInput, body));
      case 'GetStatementResult':
        return this.getStatementResult(parseInput(getStatementResultInput, body), 'JSON');
      case 'GetStatementResultV2':
        return this.getStatementResult(parseInput(getStatementResultInput, body), 'CSV');
      case 'CancelStatement':
        return this.cancelStatement(parseInput(cancelStatementInput, body).Id);
      case 'ListStatements':
        return this.listStatements(parseInput(listStatementsInput, body));
      case 'ListDatabases':
        return this.listDatabases(parseInput(catalogInput, body));
      case 'ListSchemas':
        return this.listSchemas(parseInput(catalogInput, body));
      case 'ListTables':
        return this.listTables(parseInput(catalogInput, body));
      case 'DescribeTable':
        return this.describeTable(parseInput(catalogInput, body));
      case 'ListSessions':
        return this.listSessions();
      default:
        throw new DataApiError(
          'UnknownOperationException',
          400,
          `Unknown operation RedshiftData.${operation}. Supported: ExecuteStatement, BatchExecuteStatement, DescribeStatement, GetStatementResult, GetStatementResultV2, CancelStatement, ListStatements, ListDatabases, ListSchemas, ListTables, DescribeTable, ListSessions.`,
        );
    }
  }

  // ---------------------------------------------------------------- Execute / Batch

  private async executeStatement(input: ExecuteStatementInput): Promise<Json> {
    return this.submit(input, [input.Sql], false, undefined);
  }

  private async batchExecuteStatement(input: BatchExecuteStatementInput): Promise<Json> {
    return this.submit(input, input.Sqls, true, input.ExecutionMode ?? 'TRANSACTION');
  }

  private async submit(
    input: ExecuteStatementInput | BatchExecuteStatementInput,
    sqls: string[],
    isBatch: boolean,
    executionMode: 'TRANSACTION' | 'AUTO_COMMIT' | undefined,
  ): Promise<Json> {
    if (this.closed) throw new DataApiError('InternalServerException', 500, 'The server is shutting down.');
    this.sweep();
    const cached = input.ClientToken === undefined ? undefined : this.clientTokens.get(input.ClientToken);
    if (cached !== undefined) {
      const record = this.statements.get(cached.id);
      if (record !== undefined) return this.submitOutput(record);
    }

    let session: Session | undefined;
    if (input.SessionId !== undefined) {
      session = this.sessions.get(input.SessionId);
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
      this.checkKnownTarget(input);
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
    this.checkParameters(sqls, parameters);

    const active = [...this.statements.values()].filter((s) => !TERMINAL.has(s.status)).length;
    if (active >= LIMITS.maxActiveStatements) throw activeStatementsExceeded(LIMITS.maxActiveStatements);

    const id = randomUUID();
    const now = new Date();
    const connection: ConnectionInfo = session?.connection ?? {
      database: input.Database ?? this.options.defaultDatabase,
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
    this.statements.set(id, record);
    if (input.ClientToken !== undefined) this.clientTokens.set(input.ClientToken, { id, at: Date.now() });
    if (session) {
      session.busy = true;
      session.currentStatementId = id;
    }

    const run = this.run(record, session, input.SessionKeepAliveSeconds).finally(() => resolve());
    this.running.add(run);
    void run.finally(() => this.running.delete(run));

    if (input.WaitTimeSeconds !== undefined && input.WaitTimeSeconds > 0) {
      await this.waitFor(record, input.WaitTimeSeconds);
    }
    return this.submitOutput(record);
  }

  private submitOutput(record: StatementRecord): Json {
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

  private checkKnownTarget(input: {
    ClusterIdentifier?: string | undefined;
    WorkgroupName?: string | undefined;
  }) {
    const { clusters, workgroups } = this.options;
    if (input.ClusterIdentifier !== undefined && clusters && !clusters.includes(input.ClusterIdentifier)) {
      throw validation(
        `Redshift endpoint doesn't exist in this region: cluster "${input.ClusterIdentifier}" is not one of this local stack's (${clusters.join(', ')}).`,
      );
    }
    if (input.WorkgroupName !== undefined && workgroups && !workgroups.includes(input.WorkgroupName)) {
      throw validation(
        `Redshift endpoint doesn't exist in this region: workgroup "${input.WorkgroupName}" is not one of this local stack's (${workgroups.join(', ')}).`,
      );
    }
  }

  /** Every parameter must be used, and no SQL may reference one that was not given. */
  private checkParameters(sqls: readonly string[], parameters: readonly SqlParameter[]) {
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

  // ---------------------------------------------------------------- Running

  private setStatus(record: StatementRecord, status: StatementStatus, sub?: SubStatement) {
    const now = new Date();
    record.status = status;
    record.updatedAt = now;
    if (sub) {
      sub.status = status;
      sub.updatedAt = now;
    }
  }

  private async run(record: StatementRecord, session: Session | undefined, keepAlive: number | undefined) {
    const started = process.hrtime.bigint();
    let client: pg.PoolClient | undefined;
    let pool: pg.Pool | undefined;
    let broken = false;
    try {
      if (session) client = session.client;
      else {
        try {
          pool = await this.options.pools.pool(record.connection.database);
          client = await pool.connect();
        } catch (error) {
          const message =
            error instanceof MissingDatabaseError
              ? `FATAL: database "${record.connection.database}" does not exist`
              : `ERROR: could not connect to database "${record.connection.database}": ${(error as Error).message}`;
          this.failAll(record, message);
          return;
        }
      }
      record.redshiftPid = backendPid(client);
      this.setStatus(record, 'PICKED');
      await this.runOn(record, client, keepAlive !== undefined && keepAlive > 0);
    } catch (error) {
      // Only connection-level surprises reach here: the session is unusable afterwards.
      broken = true;
      this.failAll(record, `ERROR: ${(error as Error).message}`);
    } finally {
      record.durationNs = Number(process.hrtime.bigint() - started);
      record.activePid = undefined;
      if (session) {
        if (broken) this.sessions.close(session.id);
        else this.sessions.idle(session, keepAlive);
      } else if (client) {
        const keep = keepAlive !== undefined && keepAlive > 0 && !broken && record.status !== 'ABORTED';
        if (keep) {
          const opened = this.sessions.open(client, record.connection, keepAlive, record.sessionId);
          record.sessionId = opened.id;
          this.sessions.idle(opened);
        } else {
          await this.releaseClean(client, broken);
        }
      }
      this.trackResultMemory(record);
    }
  }

  /** Back to the pool without what the statement left in the session (temp tables, settings). */
  private async releaseClean(client: pg.PoolClient, broken: boolean) {
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

  private async runOn(record: StatementRecord, client: pg.PoolClient, keepsSession: boolean) {
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
      sub.queryId = ++this.queryCounter;
      this.setStatus(record, 'STARTED', sub);
      record.activePid = backendPid(client);
      try {
        const outcome = await executeSql({
          client,
          sql: sub.sql,
          parameters,
          commands: this.options.commands,
          catalog: this.catalog(record.connection.database),
          commandContext: () => this.commandContext(record, sub, client),
          maxResultBytes: this.options.maxResultBytes,
          recordQueryId:
            record.isBatch || record.sessionId !== undefined || keepsSession ? sub.queryId : undefined,
          history: { queryId: sub.queryId, write: (sql, params) => this.sideQuery(record, sql, params) },
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
    if (aborted) this.setStatus(record, 'ABORTED');
    else if (failed) this.setStatus(record, 'FAILED');
    else this.setStatus(record, 'FINISHED');
  }

  private failAll(record: StatementRecord, message: string) {
    for (const sub of record.subs) {
      if (!TERMINAL.has(sub.status)) {
        sub.status = 'FAILED';
        sub.error = message;
        sub.updatedAt = new Date();
      }
    }
    record.error = message;
    this.setStatus(record, 'FAILED');
  }

  private catalog(database: string): Catalog {
    let c = this.catalogs.get(database);
    if (c === undefined) {
      c = createCatalog();
      this.catalogs.set(database, c);
    }
    return c;
  }

  /** A statement outside the session's transaction (SYS_QUERY_HISTORY rows). */
  private async sideQuery(record: StatementRecord, sql: string, params: unknown[]): Promise<unknown> {
    return (await this.options.pools.sidePool(record.connection.database)).query(sql, params);
  }

  private commandContext(record: StatementRecord, sub: SubStatement, client: pg.PoolClient): CommandContext {
    const { s3 } = this.options;
    if (s3 === undefined) {
      throw new StatementError(
        'UNLOAD and COPY need the local S3: start the Data API server with an S3 endpoint (startRedshiftData({ s3Endpoint })).',
      );
    }
    const database = record.connection.database;
    return {
      client,
      autonomous: async (sql, params) => {
        const pool = await this.options.pools.sidePool(database);
        await pool.query(sql, params as unknown[] | undefined);
      },
      s3,
      slices: this.options.slices,
      queryId: sub.queryId,
      sessionId: backendPid(client),
      database,
      user: record.connection.dbUser ?? (record.connection.workgroupName ? 'IAMR:local' : 'awsuser'),
      signal: record.abort.signal,
    };
  }

  // ---------------------------------------------------------------- Describe / Result / Cancel

  private find(id: string): { record: StatementRecord; sub: SubStatement | undefined } {
    if (!ID_PATTERN.test(id)) {
      throw validation(
        `Id "${id}" is not a statement id: expected a UUID, optionally followed by :n for a batch sub-statement.`,
      );
    }
    const [base, suffix] = id.split(':');
    const record = this.statements.get(base as string);
    if (record === undefined) throw notFound(`Query does not exist: ${id}`, id);
    if (suffix === undefined) return { record, sub: undefined };
    if (!record.isBatch) throw notFound(`Query does not exist: ${id} (statement ${base} is not a batch)`, id);
    const sub = record.subs[Number(suffix) - 1];
    if (sub === undefined)
      throw notFound(`Query does not exist: ${id} (the batch has ${record.subs.length} statements)`, id);
    return { record, sub };
  }

  private async waitFor(record: StatementRecord, seconds: number) {
    if (TERMINAL.has(record.status)) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, seconds * 1000);
    });
    await Promise.race([record.done, timeout]);
    clearTimeout(timer);
  }

  private async describeStatement(input: {
    Id: string;
    WaitTimeSeconds?: number | undefined;
  }): Promise<Json> {
    const { record, sub } = this.find(input.Id);
    if (input.WaitTimeSeconds) await this.waitFor(record, input.WaitTimeSeconds);
    const c = record.connection;
    const common = {
      ClusterIdentifier: c.clusterIdentifier,
      WorkgroupName: c.workgroupName,
      Database: c.database,
      DbUser: c.dbUser,
      SecretArn: c.secretArn,
      RedshiftPid: record.redshiftPid,
      QueryParameters: record.parameters,
      ResultFormat: record.resultFormat,
      SessionId: record.sessionId,
    };
    if (sub !== undefined) {
      return { Id: sub.id, ...common, ...this.subJson(sub) };
    }
    const only = record.isBatch ? undefined : record.subs[0];
    return {
      Id: record.id,
      ...common,
      Status: record.status,
      Error: record.error,
      CreatedAt: epochSeconds(record.createdAt),
      UpdatedAt: epochSeconds(record.updatedAt),
      Duration: TERMINAL.has(record.status) ? record.durationNs : -1,
      HasResultSet: record.subs.some((s) => s.hasResultSet),
      QueryString: only?.sql ?? '',
      ResultRows: only ? only.resultRows : record.subs.reduce((n, s) => n + Math.max(0, s.resultRows), 0),
      ResultSize: only ? only.resultSize : record.subs.reduce((n, s) => n + Math.max(0, s.resultSize), 0),
      RedshiftQueryId: only ? only.queryId : 0,
      ExecutionMode: record.isBatch ? record.executionMode : undefined,
      SubStatements: record.isBatch ? record.subs.map((s) => ({ Id: s.id, ...this.subJson(s) })) : undefined,
    };
  }

  private subJson(sub: SubStatement): Json {
    return {
      Status: sub.status,
      Error: sub.error,
      CreatedAt: epochSeconds(sub.createdAt),
      UpdatedAt: epochSeconds(sub.updatedAt),
      Duration: TERMINAL.has(sub.status) ? sub.durationNs : -1,
      QueryString: sub.sql,
      ResultRows: sub.resultRows,
      ResultSize: sub.resultSize,
      RedshiftQueryId: sub.queryId,
      HasResultSet: sub.hasResultSet,
    };
  }

  private async getStatementResult(
    input: { Id: string; NextToken?: string | undefined; WaitTimeSeconds?: number | undefined },
    format: 'JSON' | 'CSV',
  ): Promise<RawJson> {
    const { record, sub: found } = this.find(input.Id);
    if (input.WaitTimeSeconds) await this.waitFor(record, input.WaitTimeSeconds);
    if (record.isBatch && found === undefined) {
      throw validation(
        `Statement ${record.id} is a batch: ask for the result of one of its sub-statements (${record.id}:1 ... ${record.id}:${record.subs.length}).`,
      );
    }
    const sub = found ?? (record.subs[0] as SubStatement);
    if (sub.status !== 'FINISHED') {
      throw new DataApiError(
        sub.status === 'FAILED' || sub.status === 'ABORTED'
          ? 'ValidationException'
          : 'ResourceNotFoundException',
        sub.status === 'FAILED' || sub.status === 'ABORTED' ? 400 : 404,
        `Query ${sub.id} has no result: its status is ${sub.status}${sub.error ? ` (${sub.error})` : ''}.`,
        sub.status === 'FAILED' || sub.status === 'ABORTED' ? {} : { ResourceId: sub.id },
      );
    }
    if (record.resultFormat !== format) {
      throw validation(
        format === 'JSON'
          ? `Statement ${sub.id} was run with ResultFormat CSV: read it with GetStatementResultV2.`
          : `Statement ${sub.id} was run with ResultFormat JSON: read it with GetStatementResult.`,
      );
    }
    if (sub.resultEvicted) {
      throw notFound(
        `The result of ${sub.id} has expired: results are kept for 24 hours within this server's memory budget. Run the query again.`,
        sub.id,
      );
    }
    if (!sub.hasResultSet || sub.result === undefined) {
      throw notFound(
        `Query ${sub.id} does not have a result set (it returned no rows: ResultRows ${sub.resultRows}).`,
        sub.id,
      );
    }
    const offset = parseNextToken(input.NextToken, sub.id);
    const result = sub.result;
    const columns = JSON.stringify(result.columns);
    if (format === 'CSV') {
      const page = csvPage(result, offset, this.options.resultPageBytes);
      const next =
        page.next === undefined ? '' : `,"NextToken":${JSON.stringify(nextToken(sub.id, page.next))}`;
      return {
        rawJson: `{"Records":[{"CSVRecords":${JSON.stringify(page.csv)}}],"ColumnMetadata":${columns},"TotalNumRows":${result.rows.length},"ResultFormat":"CSV"${next}}`,
      };
    }
    const page = jsonPage(result, offset, this.options.resultPageBytes);
    const next =
      page.next === undefined ? '' : `,"NextToken":${JSON.stringify(nextToken(sub.id, page.next))}`;
    return {
      rawJson: `{"Records":${page.recordsJson},"ColumnMetadata":${columns},"TotalNumRows":${result.rows.length}${next}}`,
    };
  }

  private async cancelStatement(id: string): Promise<Json> {
    const { record, sub } = this.find(id);
    if (sub !== undefined)
      throw validation(`Cancel the whole batch (${record.id}), not one of its sub-statements.`);
    if (TERMINAL.has(record.status)) {
      throw validation(`Could not cancel a query that is already in ${record.status} state with ID: ${id}`);
    }
    await this.requestCancel(record, 'statement cancelled');
    return { Status: true };
  }

  /**
   * Marks the statement cancelled and interrupts its backend. The statement may be between two
   * queries when the interrupt lands (then the flag stops it) or about to send one (then the
   * interrupt finds an idle backend): so the interrupt is repeated, in the background, until the
   * statement has ended (bounded: one minute).
   */
  private async requestCancel(record: StatementRecord, reason: string) {
    record.cancelRequested = true;
    record.abort.abort(new Error(reason));
    if (record.activePid !== undefined) await this.options.pools.cancelBackend(record.activePid);
    void (async () => {
      const deadline = Date.now() + 60_000;
      while (!TERMINAL.has(record.status) && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([record.done, new Promise((r) => (timer = setTimeout(r, 250)))]);
        clearTimeout(timer);
        if (!TERMINAL.has(record.status) && record.activePid !== undefined) {
          await this.options.pools.cancelBackend(record.activePid).catch(() => {});
        }
      }
    })();
  }

  // ---------------------------------------------------------------- Lists and catalog

  private listStatements(input: {
    NextToken?: string | undefined;
    MaxResults?: number | undefined;
    StatementName?: string | undefined;
    Status?: string | undefined;
    Database?: string | undefined;
    ClusterIdentifier?: string | undefined;
    WorkgroupName?: string | undefined;
  }): Json {
    // AWS: "By default, only finished statements are shown."
    const status = input.Status ?? 'FINISHED';
    const all = [...this.statements.values()]
      .filter((s) => status === 'ALL' || s.status === status)
      .filter(
        (s) => input.StatementName === undefined || (s.statementName ?? '').startsWith(input.StatementName),
      )
      .filter((s) => input.Database === undefined || s.connection.database === input.Database)
      .filter(
        (s) =>
          input.ClusterIdentifier === undefined || s.connection.clusterIdentifier === input.ClusterIdentifier,
      )
      .filter((s) => input.WorkgroupName === undefined || s.connection.workgroupName === input.WorkgroupName)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const max = input.MaxResults || 100;
    const offset = parseNextToken(input.NextToken, 'ListStatements');
    const page = all.slice(offset, offset + max);
    return {
      Statements: page.map((s) => ({
        Id: s.id,
        Status: s.status,
        StatementName: s.statementName,
        CreatedAt: epochSeconds(s.createdAt),
        UpdatedAt: epochSeconds(s.updatedAt),
        QueryString: s.isBatch ? undefined : s.subs[0]?.sql,
        QueryStrings: s.isBatch ? s.subs.map((x) => x.sql) : undefined,
        QueryParameters: s.parameters,
        IsBatchStatement: s.isBatch,
        ResultFormat: s.resultFormat,
        SecretArn: s.connection.secretArn,
        SessionId: s.sessionId,
      })),
      NextToken: offset + max < all.length ? nextToken('ListStatements', offset + max) : undefined,
    };
  }

  private listSessions(): Json {
    return {
      Sessions: this.sessions.list().map((s) => ({
        SessionId: s.id,
        Status: s.busy ? 'BUSY' : 'AVAILABLE',
        CreatedAt: epochSeconds(s.createdAt),
        UpdatedAt: epochSeconds(s.updatedAt),
        Database: s.connection.database,
        DbUser: s.connection.dbUser,
        ClusterIdentifier: s.connection.clusterIdentifier,
        WorkgroupName: s.connection.workgroupName,
        SessionAliveSeconds: s.keepAliveSeconds,
        CurrentStatementId: s.currentStatementId,
      })),
    };
  }

  private async catalogQuery<T extends pg.QueryResultRow>(
    input: {
      ClusterIdentifier?: string | undefined;
      WorkgroupName?: string | undefined;
      Database?: string | undefined;
      ConnectedDatabase?: string | undefined;
    },
    sql: string,
    params: unknown[],
  ): Promise<T[]> {
    checkTarget(input);
    this.checkKnownTarget(input);
    const database = input.ConnectedDatabase ?? input.Database ?? this.options.defaultDatabase;
    try {
      const pool = await this.options.pools.pool(database);
      return (await pool.query<T>(sql, params)).rows;
    } catch (error) {
      if (error instanceof MissingDatabaseError) {
        throw new DataApiError(
          'DatabaseConnectionException',
          500,
          `FATAL: database "${database}" does not exist`,
        );
      }
      throw error;
    }
  }

  private async listDatabases(input: CatalogInput): Promise<Json> {
    const rows = await this.catalogQuery<{ datname: string }>(
      input,
      // PostgreSQL's maintenance database is not Redshift's, unless it is the one we serve.
      `SELECT datname FROM pg_database WHERE NOT datistemplate AND (datname <> 'postgres' OR datname = $1)
        ORDER BY datname`,
      [this.options.defaultDatabase],
    );
    return paged(
      rows.map((r) => r.datname),
      'Databases',
      input,
    );
  }

  private async listSchemas(input: CatalogInput) {
    const rows = await this.catalogQuery<{ nspname: string }>(
      input,
      // The user's schemas, and pg_catalog where Redshift keeps the system views users query.
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 AND (nspname = 'pg_catalog' OR ${userSchema('nspname')})
        ORDER BY nspname`,
      [input.SchemaPattern ?? '%'],
    );
    return paged(
      rows.map((r) => r.nspname),
      'Schemas',
      input,
    );
  }

  private async listTables(input: CatalogInput) {
    const rows = await this.catalogQuery<{ name: string; schema: string; type: string }>(
      input,
      // The user's tables and views, and the Redshift system views emulated here, listed where
      // Redshift has them (pg_catalog); PostgreSQL's own catalogs and our helpers are left out.
      `SELECT name, schema, type FROM (
         SELECT c.relname AS name,
                CASE WHEN ${emulatedSystemRelation('n.nspname', 'c.relname')} THEN 'pg_catalog' ELSE n.nspname END AS schema,
                CASE WHEN ${emulatedSystemRelation('n.nspname', 'c.relname')} THEN 'VIEW' WHEN c.relkind = 'v' THEN 'VIEW'
                     WHEN c.relkind = 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS type
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'm')
            AND (${userRelation('n.nspname', 'c.relname')} OR ${emulatedSystemRelation('n.nspname', 'c.relname')})
       ) t
        WHERE schema LIKE $1 AND name LIKE $2
        ORDER BY schema, name`,
      [input.SchemaPattern ?? '%', input.TablePattern ?? '%'],
    );
    return paged(rows, 'Tables', input);
  }

  private async describeTable(input: CatalogInput) {
    if (input.Table === undefined) throw validation('Table is required for DescribeTable.');
    const schema = input.Schema ?? 'public';
    // The emulated Redshift system views are described where ListTables shows them (pg_catalog).
    const emulated = schema === 'pg_catalog' && EMULATED_SYSTEM_RELATIONS.includes(input.Table);
    const rows = await this.catalogQuery<{
      name: string;
      type: string;
      notnull: boolean;
      def: string | null;
      schema: string;
      precision: number;
      scale: number;
    }>(
      input,
      `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type, a.attnotnull AS notnull,
              pg_get_expr(d.adbin, d.adrelid) AS def, n.nspname AS schema,
              CASE WHEN a.atttypid = 1700 AND a.atttypmod >= 4 THEN ((a.atttypmod - 4) >> 16) & 65535
                   WHEN a.atttypid IN (1042, 1043) AND a.atttypmod >= 4 THEN a.atttypmod - 4 ELSE 0 END AS precision,
              CASE WHEN a.atttypid = 1700 AND a.atttypmod >= 4 THEN (a.atttypmod - 4) & 65535 ELSE 0 END AS scale
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relname = $1 AND n.nspname = $2 AND a.attnum > 0 AND NOT a.attisdropped
          AND (${emulated ? emulatedSystemRelation('n.nspname', 'c.relname') : userRelation('n.nspname', 'c.relname')})
        ORDER BY a.attnum`,
      [input.Table, emulated ? 'public' : schema],
    );
    const columns = rows.map((r) => ({
      name: r.name,
      label: r.name,
      typeName: r.type,
      nullable: r.notnull ? 0 : 1,
      precision: r.precision,
      scale: r.scale,
      schemaName: emulated ? 'pg_catalog' : r.schema,
      tableName: input.Table,
      columnDefault: r.def ?? undefined,
      isCaseSensitive: /char|text/.test(r.type),
      isCurrency: false,
      isSigned: /int|numeric|double|real/.test(r.type),
      length: 0,
    }));
    const result = paged(columns, 'ColumnList', input);
    return { TableName: input.Table, ...result };
  }

  // ---------------------------------------------------------------- Housekeeping

  /** Drops statements past their retention, and old client tokens. */
  private sweep() {
    const horizon = Date.now() - this.options.retentionMs;
    for (const [id, record] of this.statements) {
      if (record.createdAt.getTime() >= horizon) break; // Map keeps insertion (= creation) order.
      if (!TERMINAL.has(record.status)) continue;
      for (const sub of record.subs) this.resultBytes -= sub.result?.size ?? 0;
      this.statements.delete(id);
    }
    const tokenHorizon = Date.now() - 8 * 3600 * 1000;
    for (const [token, entry] of this.clientTokens) {
      if (entry.at >= tokenHorizon) break;
      this.clientTokens.delete(token);
    }
  }

  /** Keeps all results within the memory budget by dropping the oldest first. */
  private trackResultMemory(record: StatementRecord) {
    for (const sub of record.subs) this.resultBytes += sub.result?.size ?? 0;
    if (this.resultBytes <= this.options.resultMemoryBytes) return;
    for (const other of this.statements.values()) {
      if (this.resultBytes <= this.options.resultMemoryBytes) break;
      if (other === record) continue;
      for (const sub of other.subs) {
        if (sub.result === undefined) continue;
        this.resultBytes -= sub.result.size;
        sub.result = undefined;
        sub.resultEvicted = true;
      }
    }
  }

  /** Cancels what still runs, waits for it, and closes sessions. */
  async close(): Promise<void> {
    this.closed = true;
    for (const record of this.statements.values()) {
      if (!TERMINAL.has(record.status)) {
        await this.requestCancel(record, 'server shutting down').catch(() => {});
      }
    }
    await Promise.allSettled([...this.running]);
    this.sessions.closeAll();
  }
}

/** The engine backend of a connection (pg reads it from BackendKeyData; its types omit it). */
function backendPid(client: pg.ClientBase): number {
  return (client as unknown as { processID?: number }).processID ?? 0;
}

function nextToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64url');
}

function parseNextToken(token: string | undefined, scope: string): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { s?: unknown; o?: unknown };
    if (parsed.s === scope && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0)
      return parsed.o;
  } catch {
    // Falls through to the error below.
  }
  throw validation(
    `NextToken "${token}" is not valid for this request: pass the NextToken of the previous page unchanged.`,
  );
}

function paged<T>(
  items: T[],
  key: string,
  input: { NextToken?: string | undefined; MaxResults?: number | undefined },
): Json {
  const offset = parseNextToken(input.NextToken, key);
  const max = input.MaxResults || 1000;
  return {
    [key]: items.slice(offset, offset + max),
    NextToken: offset + max < items.length ? nextToken(key, offset + max) : undefined,
  };
}
