import { afterEach, describe, expect, it } from 'vitest';
import {
  batchExecuteStatement,
  cancelStatement,
  executeStatement,
  fetchResults,
} from '../../../src/dataapi/dataApi.ts';
import { pollStatement, startedStatement } from '../../../src/dataapi/pollStatement.ts';
import { clientToken, statementName } from '../../../src/dataapi/statementIdentity.ts';
import { startScriptedDataApi } from './scriptedDataApi.ts';

const cluster = { clusterIdentifier: 'local', database: 'dev', dbUser: 'awsuser' };
const ID = '11111111-2222-3333-4444-555555555555';
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function api(script: Parameters<typeof startScriptedDataApi>[0]) {
  const s = await startScriptedDataApi(script);
  stop = s.stop;
  return s;
}

describe('Data API wrapper', () => {
  it('sends ExecuteStatement with the target, statement name and run-derived client token', async () => {
    const s = await api({ ExecuteStatement: () => ({ body: { Id: ID } }) });
    const token = clientToken('20240101-abc', 'unload');
    const id = await executeStatement(s.client, {
      target: cluster,
      sql: 'UNLOAD (...)',
      name: statementName('nightly', '20240101-abc', 'unload'),
      clientToken: token,
    });
    expect(id).toBe(ID);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(token).toBe(clientToken('20240101-abc', 'unload'));
    expect(token).not.toBe(clientToken('20240101-abd', 'unload'));
    expect(s.calls).toEqual([
      {
        operation: 'ExecuteStatement',
        body: {
          ClusterIdentifier: 'local',
          Database: 'dev',
          DbUser: 'awsuser',
          Sql: 'UNLOAD (...)',
          StatementName: 'rt:nightly:20240101-abc:unload',
          ClientToken: token,
        },
      },
    ]);
  });

  it('sends BatchExecuteStatement for a serverless workgroup', async () => {
    const s = await api({ BatchExecuteStatement: () => ({ body: { Id: ID } }) });
    await batchExecuteStatement(s.client, {
      target: { workgroupName: 'wg', database: 'dev' },
      sqls: ['select 1', 'select 2'],
      name: 'rt:j:r:load',
      clientToken: 'tok',
    });
    expect(s.calls[0]?.body).toEqual({
      WorkgroupName: 'wg',
      Database: 'dev',
      Sqls: ['select 1', 'select 2'],
      StatementName: 'rt:j:r:load',
      ClientToken: 'tok',
    });
  });

  it('maps throttling to TransientError and validation errors to themselves', async () => {
    const s = await api({
      ExecuteStatement: (b) =>
        b.Sql === 'throttle'
          ? { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }
          : { status: 400, body: { __type: 'ValidationException', message: 'bad cluster' } },
    });
    const start = (sql: string) =>
      executeStatement(s.client, { target: cluster, sql, name: 'n', clientToken: 't' });
    await expect(start('throttle')).rejects.toMatchObject({ name: 'TransientError' });
    await expect(start('other')).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'bad cluster',
    });
  });

  it('pages through GetStatementResult', async () => {
    const s = await api({
      GetStatementResult: (b) =>
        b.NextToken === undefined
          ? {
              body: {
                ColumnMetadata: [{ name: 'n' }, { name: 's' }],
                Records: [[{ longValue: 1 }, { stringValue: 'a' }]],
                NextToken: 'p2',
              },
            }
          : {
              body: {
                ColumnMetadata: [{ name: 'n' }, { name: 's' }],
                Records: [[{ longValue: 2 }, { isNull: true }]],
              },
            },
    });
    const pages = [];
    for await (const page of fetchResults(s.client, ID)) pages.push(page);
    expect(pages).toEqual([
      { columns: ['n', 's'], rows: [[1, 'a']] },
      { columns: ['n', 's'], rows: [[2, null]] },
    ]);
    expect(s.calls.map((c) => c.body)).toEqual([{ Id: ID }, { Id: ID, NextToken: 'p2' }]);
  });

  it('treats cancelling a finished statement as a no-op', async () => {
    const s = await api({
      CancelStatement: (b) =>
        b.Id === ID
          ? { body: { Status: true } }
          : {
              status: 400,
              body: {
                __type: 'ValidationException',
                message: 'Could not cancel a query that is already in FINISHED state',
              },
            },
    });
    expect(await cancelStatement(s.client, ID)).toBe(true);
    expect(await cancelStatement(s.client, `${ID}x`)).toBe(false);
  });
});

describe('Function: pollStatement', () => {
  const t0 = 1_700_000_000_000;

  it('long-polls 30 s by default, then returns the next wait (0.3x elapsed) with attempt + 1', async () => {
    const s = await api({
      DescribeStatement: () => ({ body: { Id: ID, Status: 'STARTED', ResultRows: -1 } }),
    });
    const next = await pollStatement(s.client, startedStatement(ID, t0, 3600, 'unload'), {
      now: () => t0 + 40_000,
    });
    expect(next).toEqual({
      id: ID,
      startedAt: t0,
      deadline: t0 + 3600_000,
      attempt: 1,
      status: 'STARTED',
      done: false,
      nextWaitSeconds: 12,
      resultRows: null,
      step: 'unload',
    });
    expect(s.calls).toEqual([{ operation: 'DescribeStatement', body: { Id: ID, WaitTimeSeconds: 30 } }]);
  });

  it('returns done with the row count when FINISHED', async () => {
    const s = await api({
      DescribeStatement: () => ({ body: { Id: ID, Status: 'FINISHED', ResultRows: 172456 } }),
    });
    const next = await pollStatement(
      s.client,
      { ...startedStatement(ID, t0, 60, 'unload'), attempt: 3 },
      {
        longPollSeconds: 0,
        now: () => t0 + 5000,
      },
    );
    expect(next).toMatchObject({
      status: 'FINISHED',
      done: true,
      attempt: 4,
      resultRows: 172456,
      nextWaitSeconds: 0,
    });
    expect(s.calls[0]?.body).toEqual({ Id: ID });
  });

  it("throws StatementFailedError with Redshift's error text and the statement id", async () => {
    const s = await api({
      DescribeStatement: () => ({
        body: { Id: ID, Status: 'FAILED', Error: 'ERROR: relation "nope" does not exist' },
      }),
    });
    await expect(
      pollStatement(s.client, startedStatement(ID, t0, 60, 'unload'), { now: () => t0 }),
    ).rejects.toMatchObject({
      name: 'StatementFailedError',
      message: `Statement unload ${ID} failed in Redshift: ERROR: relation "nope" does not exist. Fix the SQL or the job document and run again.`,
      context: { statementId: ID, redshiftError: 'ERROR: relation "nope" does not exist' },
    });
  });

  it('throws StatementAbortedError when ABORTED', async () => {
    const s = await api({ DescribeStatement: () => ({ body: { Id: ID, Status: 'ABORTED' } }) });
    await expect(
      pollStatement(s.client, startedStatement(ID, t0, 60, 'unload'), { now: () => t0 }),
    ).rejects.toMatchObject({
      name: 'StatementAbortedError',
    });
  });

  it('cancels the statement at the deadline and throws DeadlineExceededError', async () => {
    const s = await api({
      DescribeStatement: () => ({ body: { Id: ID, Status: 'STARTED' } }),
      CancelStatement: () => ({ body: { Status: true } }),
    });
    await expect(
      pollStatement(s.client, startedStatement(ID, t0, 60, 'unload'), { now: () => t0 + 61_000 }),
    ).rejects.toMatchObject({ name: 'DeadlineExceededError', context: { statementId: ID, cancelled: true } });
    expect(s.calls).toEqual([
      { operation: 'DescribeStatement', body: { Id: ID } },
      { operation: 'CancelStatement', body: { Id: ID } },
    ]);
  });
});
