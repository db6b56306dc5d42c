import {
  type AwsJsonServerOptions,
  dispatchTable,
  type JsonBody,
  type Operation,
} from '../../http/startAwsJsonServer.ts';
import {
  batchExecuteStatementInput,
  cancelStatementInput,
  catalogInput,
  describeStatementInput,
  executeStatementInput,
  getStatementResultInput,
  listStatementsInput,
  parseInput,
} from '../api/inputSchemas.ts';
import { TERMINAL } from '../statements/statementRecord.ts';
import { describeTable, listDatabases, listSchemas, listTables } from './catalogOperations.ts';
import { listSessions } from './listSessions.ts';
import { requestCancel } from './runStatement.ts';
import { createServiceState, type DataApiServiceOptions, type ServiceState } from './serviceState.ts';
import {
  cancelStatement,
  describeStatement,
  getStatementResult,
  listStatements,
} from './statementOperations.ts';
import { submitStatement } from './submitStatement.ts';

export type { DataApiServiceOptions } from './serviceState.ts';

/**
 * The Data API's operations over the engine. Statements run asynchronously: a call returns as
 * soon as the statement is recorded (SUBMITTED), the statement then takes a pooled connection
 * (PICKED), runs (STARTED) and ends FINISHED, FAILED (a SQL error is a status, not an exception)
 * or ABORTED (CancelStatement).
 */
export class DataApiService {
  private readonly state: ServiceState;
  private readonly dispatch: AwsJsonServerOptions['dispatch'];

  constructor(options: DataApiServiceOptions) {
    const state = createServiceState(options);
    this.state = state;
    // Operation families: statements (submit, describe, results, cancel, list), catalog, sessions.
    const operations: Record<string, Operation> = {
      ExecuteStatement: (body) => {
        const input = parseInput(executeStatementInput, body);
        return submitStatement(state, input, [input.Sql], false, undefined);
      },
      BatchExecuteStatement: (body) => {
        const input = parseInput(batchExecuteStatementInput, body);
        return submitStatement(state, input, input.Sqls, true, input.ExecutionMode ?? 'TRANSACTION');
      },
      DescribeStatement: (body) => describeStatement(state, parseInput(describeStatementInput, body)),
      GetStatementResult: (body) =>
        getStatementResult(state, parseInput(getStatementResultInput, body), 'JSON'),
      GetStatementResultV2: (body) =>
        getStatementResult(state, parseInput(getStatementResultInput, body), 'CSV'),
      CancelStatement: (body) => cancelStatement(state, parseInput(cancelStatementInput, body).Id),
      ListStatements: (body) => listStatements(state, parseInput(listStatementsInput, body)),
      ListDatabases: (body) => listDatabases(state, parseInput(catalogInput, body)),
      ListSchemas: (body) => listSchemas(state, parseInput(catalogInput, body)),
      ListTables: (body) => listTables(state, parseInput(catalogInput, body)),
      DescribeTable: (body) => describeTable(state, parseInput(catalogInput, body)),
      ListSessions: () => listSessions(state),
    };
    this.dispatch = dispatchTable('RedshiftData', operations);
  }

  /** Answers one operation; unknown names are UnknownOperationException, as AWS answers. */
  async call(operation: string, body: JsonBody): Promise<unknown> {
    return this.dispatch(operation, body);
  }

  /** Cancels what still runs, waits for it, and closes sessions. */
  async close(): Promise<void> {
    const state = this.state;
    state.closed = true;
    for (const record of state.statements.values()) {
      if (!TERMINAL.has(record.status)) {
        await requestCancel(state, record, 'server shutting down').catch(() => {});
      }
    }
    await Promise.allSettled([...state.running]);
    state.sessions.closeAll();
  }
}
