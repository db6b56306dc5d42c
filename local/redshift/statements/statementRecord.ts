import type { StoredResult } from '../results/resultSet.ts';
import type { SqlParameter } from '../sql/bindParameters.ts';

export type StatementStatus = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';

export const TERMINAL: ReadonlySet<StatementStatus> = new Set(['FINISHED', 'FAILED', 'ABORTED']);

export interface ConnectionInfo {
  database: string;
  clusterIdentifier?: string | undefined;
  workgroupName?: string | undefined;
  dbUser?: string | undefined;
  secretArn?: string | undefined;
}

/** One SQL text of a request: the whole ExecuteStatement, or one entry of a batch (`<id>:n`). */
export interface SubStatement {
  id: string;
  sql: string;
  status: StatementStatus;
  error?: string | undefined;
  createdAt: Date;
  updatedAt: Date;
  durationNs: number;
  resultRows: number;
  resultSize: number;
  queryId: number;
  hasResultSet: boolean;
  result?: StoredResult | undefined;
  /** Set when the result was dropped to stay within the server's memory budget. */
  resultEvicted?: boolean;
}

export interface StatementRecord {
  id: string;
  isBatch: boolean;
  executionMode?: 'TRANSACTION' | 'AUTO_COMMIT' | undefined;
  connection: ConnectionInfo;
  statementName?: string | undefined;
  parameters?: SqlParameter[] | undefined;
  resultFormat: 'JSON' | 'CSV';
  sessionId?: string | undefined;
  status: StatementStatus;
  error?: string | undefined;
  createdAt: Date;
  updatedAt: Date;
  durationNs: number;
  redshiftPid: number;
  subs: SubStatement[];
  /** Resolves when the statement reaches FINISHED, FAILED or ABORTED. */
  done: Promise<void>;
  cancelRequested: boolean;
  abort: AbortController;
  /** The engine backend running it right now (for CancelStatement). */
  activePid?: number | undefined;
}

export function newSubStatement(id: string, sql: string, now: Date): SubStatement {
  return {
    id,
    sql,
    status: 'SUBMITTED',
    createdAt: now,
    updatedAt: now,
    durationNs: 0,
    resultRows: -1,
    resultSize: -1,
    queryId: -1,
    hasResultSet: false,
  };
}

export const epochSeconds = (d: Date) => d.getTime() / 1000;
