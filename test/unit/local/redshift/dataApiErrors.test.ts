import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendRunning } from '../../../helpers/backendRunning.ts';
import {
  executeAndWait,
  startTestRedshift,
  type TestRedshift,
  waitForStatement,
} from '../../../helpers/testRedshift.ts';

async function post(endpoint: string, target: string | undefined, body: string | Uint8Array) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', ...(target ? { 'x-amz-target': target } : {}) },
    body,
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    json: (await res.json()) as Record<string, unknown>,
  };
}

describe('local Data API: errors, limits and cancellation', () => {
  let rs: TestRedshift;
  beforeAll(async () => {
    rs = await startTestRedshift();
  });
  afterAll(async () => {
    await rs.stop();
  });

  const target = () => ({ ClusterIdentifier: 'local', Database: rs.database });
  const rejected = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
    );

  it.each([
    [
      'empty Sql',
      { Sql: '' },
      "Value '\"\"' at 'sql' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ],
    ['blank Sql', { Sql: '   ' }, 'Sql must not be empty or blank.'],
    [
      'both cluster and workgroup',
      { Sql: 'select 1', WorkgroupName: 'wg' },
      'Either ClusterIdentifier or WorkgroupName must be specified, but not both.',
    ],
    [
      'neither cluster nor workgroup',
      { Sql: 'select 1', ClusterIdentifier: undefined },
      'Either ClusterIdentifier or WorkgroupName is required.',
    ],
    [
      'WaitTimeSeconds over 30',
      { Sql: 'select 1', WaitTimeSeconds: 31 },
      'Member must have value less than or equal to 30',
    ],
    [
      'a bad cluster identifier',
      { Sql: 'select 1', ClusterIdentifier: 'Bad_Name' },
      'Member must satisfy regular expression pattern',
    ],
    [
      'an empty parameter value',
      { Sql: 'select :a', Parameters: [{ name: 'a', value: '' }] },
      "at 'parameters.0.value'",
    ],
    [
      'an unused parameter',
      {
        Sql: 'select :a',
        Parameters: [
          { name: 'a', value: '1' },
          { name: 'b', value: '2' },
        ],
      },
      'Parameter "b" is not used in the SQL.',
    ],
    [
      'SQL over 100 KB',
      { Sql: `select '${'x'.repeat(100 * 1024)}'` },
      'the maximum is 102400 bytes (100 KB)',
    ],
  ])('rejects %s with ValidationException', async (_name, input, message) => {
    const err = await rejected(
      rs.client.send(new ExecuteStatementCommand({ ...target(), ...input } as never)),
    );
    expect(err).toBeInstanceOf(ValidationException);
    expect(err?.$metadata?.httpStatusCode).toBe(400);
    expect(err?.message).toContain(message);
  });

  it('rejects more than 40 statements in a batch', async () => {
    const err = await rejected(
      rs.client.send(
        new BatchExecuteStatementCommand({ ...target(), Sqls: Array.from({ length: 41 }, () => 'select 1') }),
      ),
    );
    expect(err).toBeInstanceOf(ValidationException);
    expect(err?.message).toContain('Member must have length less than or equal to 40');
  });

  it('answers ResourceNotFoundException for an unknown id and ValidationException for a malformed one', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const missing = await rejected(rs.client.send(new DescribeStatementCommand({ Id: id })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing?.$metadata?.httpStatusCode).toBe(404);
    expect((missing as ResourceNotFoundException).ResourceId).toBe(id);
    expect(missing?.message).toBe(`Query does not exist: ${id}`);
    const bad = await rejected(rs.client.send(new GetStatementResultCommand({ Id: 'nope' })));
    expect(bad).toBeInstanceOf(ValidationException);
  });

  it('answers malformed JSON, unknown operations, a missing target and huge bodies without falling over', async () => {
    const malformed = await post(rs.endpoint, 'RedshiftData.ExecuteStatement', '{"Sql": ');
    expect(malformed.status).toBe(400);
    expect(malformed.type).toBe('application/x-amz-json-1.1');
    expect(malformed.json.__type).toBe('SerializationException');
    const notObject = await post(rs.endpoint, 'RedshiftData.ExecuteStatement', '[1]');
    expect(notObject.json.__type).toBe('SerializationException');
    const unknown = await post(rs.endpoint, 'RedshiftData.DropCluster', '{}');
    expect(unknown).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    expect(unknown.json.message).toContain('Unknown operation RedshiftData.DropCluster');
    const noTarget = await post(rs.endpoint, undefined, '{}');
    expect(noTarget.json.__type).toBe('UnknownOperationException');
    const huge = await post(
      rs.endpoint,
      'RedshiftData.ExecuteStatement',
      new Uint8Array(20 * 1024 * 1024).fill(32),
    );
    expect(huge.status).toBe(400);
    expect(huge.json.__type).toBe('ValidationException');
    expect(huge.json.message).toContain('the maximum is 8388608 bytes');
    // Still serving.
    expect((await executeAndWait(rs, { Sql: 'select 1' })).Status).toBe('FINISHED');
  });

  it('cancels a statement that never ends: ABORTED, and the server keeps serving', async () => {
    const { Id } = await rs.client.send(
      new ExecuteStatementCommand({ ...target(), Sql: 'select pg_sleep(600)' }),
    );
    await backendRunning(rs.databaseUrl, 'select pg_sleep(600)');
    const running = await rs.client.send(new DescribeStatementCommand({ Id }));
    expect(running.Status).toBe('STARTED');
    expect(running.Duration).toBe(-1);
    expect(running.RedshiftPid).toBeGreaterThan(0);
    expect(await rs.client.send(new CancelStatementCommand({ Id }))).toMatchObject({ Status: true });
    const d = await waitForStatement(rs.client, Id as string);
    expect(d.Status).toBe('ABORTED');
    expect(d.Error).toBeUndefined();
    const again = await rejected(rs.client.send(new CancelStatementCommand({ Id })));
    expect(again).toBeInstanceOf(ValidationException);
    expect(again?.message).toBe(`Could not cancel a query that is already in ABORTED state with ID: ${Id}`);
    expect((await executeAndWait(rs, { Sql: 'select 1' })).Status).toBe('FINISHED');
  });

  it('cancelling a batch rolls its transaction back', async () => {
    await executeAndWait(rs, { Sql: 'create table cancelled (a int)' });
    const { Id } = await rs.client.send(
      new BatchExecuteStatementCommand({
        ...target(),
        Sqls: [
          'insert into cancelled values (1)',
          'select pg_sleep(600) /* batch */',
          'insert into cancelled values (2)',
        ],
      }),
    );
    await backendRunning(rs.databaseUrl, 'pg_sleep(600) /* batch */');
    await rs.client.send(new CancelStatementCommand({ Id }));
    const d = await waitForStatement(rs.client, Id as string);
    expect(d.Status).toBe('ABORTED');
    expect(d.SubStatements?.map((s) => s.Status)).toEqual(['FINISHED', 'ABORTED', 'ABORTED']);
    const count = await executeAndWait(rs, { Sql: 'select count(*) from cancelled' });
    expect((await rs.client.send(new GetStatementResultCommand({ Id: count.Id }))).Records).toEqual([
      [{ longValue: 0 }],
    ]);
  });

  it('refuses to cancel one sub-statement of a batch, and a finished statement', async () => {
    const d = await executeAndWait(rs, { Sql: 'select 1' });
    const err = await rejected(rs.client.send(new CancelStatementCommand({ Id: d.Id })));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err?.message).toContain('already in FINISHED state');
  });
});

describe('local Data API: configured cluster names', () => {
  let rs: TestRedshift;
  beforeAll(async () => {
    rs = await startTestRedshift({ clusters: ['local'], workgroups: ['local-wg'] });
  });
  afterAll(async () => {
    await rs.stop();
  });

  it('accepts the known cluster and workgroup and rejects others', async () => {
    expect((await executeAndWait(rs, { Sql: 'select 1' })).Status).toBe('FINISHED');
    expect(
      (await executeAndWait(rs, { Sql: 'select 1', ClusterIdentifier: undefined, WorkgroupName: 'local-wg' }))
        .Status,
    ).toBe('FINISHED');
    const err = await rs.client
      .send(
        new ExecuteStatementCommand({ ClusterIdentifier: 'prod', Database: rs.database, Sql: 'select 1' }),
      )
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toContain(
      'Redshift endpoint doesn\'t exist in this region: cluster "prod"',
    );
  });
});

describe('local Data API: a statement waits for a free connection', () => {
  let rs: TestRedshift;
  beforeAll(async () => {
    rs = await startTestRedshift({ poolSize: 2 });
  });
  afterAll(async () => {
    await rs.stop();
  });

  it('stays SUBMITTED while every connection is busy, then runs when one frees up', async () => {
    const target = { ClusterIdentifier: 'local', Database: rs.database };
    const a = await rs.client.send(
      new ExecuteStatementCommand({ ...target, Sql: 'select pg_sleep(600) /* a */' }),
    );
    const b = await rs.client.send(
      new ExecuteStatementCommand({ ...target, Sql: 'select pg_sleep(600) /* b */' }),
    );
    await backendRunning(rs.databaseUrl, '/* a */');
    await backendRunning(rs.databaseUrl, '/* b */');
    const c = await rs.client.send(new ExecuteStatementCommand({ ...target, Sql: 'select 42' }));
    expect((await rs.client.send(new DescribeStatementCommand({ Id: c.Id }))).Status).toBe('SUBMITTED');
    await rs.client.send(new CancelStatementCommand({ Id: a.Id }));
    const done = await waitForStatement(rs.client, c.Id as string);
    expect(done.Status).toBe('FINISHED');
    await rs.client.send(new CancelStatementCommand({ Id: b.Id }));
    expect((await waitForStatement(rs.client, b.Id as string)).Status).toBe('ABORTED');
    expect((await waitForStatement(rs.client, a.Id as string)).Status).toBe('ABORTED');
  });
});
