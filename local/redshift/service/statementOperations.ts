import type { RawJson } from '../../http/startAwsJsonServer.ts';
import { DataApiError, notFound, validation } from '../api/dataApiError.ts';
import { csvPage, jsonPage } from '../results/resultSet.ts';
import { epochSeconds, type SubStatement, TERMINAL } from '../statements/statementRecord.ts';
import { nextToken, parseNextToken } from './pageTokens.ts';
import { requestCancel } from './runStatement.ts';
import type { Json, ServiceState } from './serviceState.ts';
import { findStatement, waitFor } from './statementStore.ts';

/** DescribeStatement: a statement, a batch with its sub-statements, or one sub-statement (`<id>:n`). */
export async function describeStatement(
  state: ServiceState,
  input: { Id: string; WaitTimeSeconds?: number | undefined },
): Promise<Json> {
  const { record, sub } = findStatement(state, input.Id);
  if (input.WaitTimeSeconds) await waitFor(record, input.WaitTimeSeconds);
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
    return { Id: sub.id, ...common, ...subJson(sub) };
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
    SubStatements: record.isBatch ? record.subs.map((s) => ({ Id: s.id, ...subJson(s) })) : undefined,
  };
}

function subJson(sub: SubStatement): Json {
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

/** GetStatementResult (format JSON) and GetStatementResultV2 (format CSV): one page of a result. */
export async function getStatementResult(
  state: ServiceState,
  input: { Id: string; NextToken?: string | undefined; WaitTimeSeconds?: number | undefined },
  format: 'JSON' | 'CSV',
): Promise<RawJson> {
  const { record, sub: found } = findStatement(state, input.Id);
  if (input.WaitTimeSeconds) await waitFor(record, input.WaitTimeSeconds);
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
  const pageBytes = state.options.resultPageBytes;
  if (format === 'CSV') {
    const page = csvPage(result, offset, pageBytes);
    const next =
      page.next === undefined ? '' : `,"NextToken":${JSON.stringify(nextToken(sub.id, page.next))}`;
    return {
      rawJson: `{"Records":[{"CSVRecords":${JSON.stringify(page.csv)}}],"ColumnMetadata":${columns},"TotalNumRows":${result.rows.length},"ResultFormat":"CSV"${next}}`,
    };
  }
  const page = jsonPage(result, offset, pageBytes);
  const next = page.next === undefined ? '' : `,"NextToken":${JSON.stringify(nextToken(sub.id, page.next))}`;
  return {
    rawJson: `{"Records":${page.recordsJson},"ColumnMetadata":${columns},"TotalNumRows":${result.rows.length}${next}}`,
  };
}

/** CancelStatement: a whole statement or batch that has not ended. */
export async function cancelStatement(state: ServiceState, id: string): Promise<Json> {
  const { record, sub } = findStatement(state, id);
  if (sub !== undefined)
    throw validation(`Cancel the whole batch (${record.id}), not one of its sub-statements.`);
  if (TERMINAL.has(record.status)) {
    throw validation(`Could not cancel a query that is already in ${record.status} state with ID: ${id}`);
  }
  await requestCancel(state, record, 'statement cancelled');
  return { Status: true };
}

/** ListStatements: newest first, filtered as AWS filters (by default only FINISHED ones). */
export function listStatements(
  state: ServiceState,
  input: {
    NextToken?: string | undefined;
    MaxResults?: number | undefined;
    StatementName?: string | undefined;
    Status?: string | undefined;
    Database?: string | undefined;
    ClusterIdentifier?: string | undefined;
    WorkgroupName?: string | undefined;
  },
): Json {
  // AWS: "By default, only finished statements are shown."
  const status = input.Status ?? 'FINISHED';
  const all = [...state.statements.values()]
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
