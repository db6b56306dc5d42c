import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  ListSessionsCommand,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendRunning } from '../../../helpers/backendRunning.ts';
import { executeAndWait, startTestRedshift, type TestRedshift } from '../../../helpers/testRedshift.ts';

// The engine may end a connection the Data API holds (pg_terminate_backend, a fast shutdown, DROP
// DATABASE ... WITH (FORCE)): PostgreSQL sends 57P01 and closes it. pg then emits 'error' on the
// client; on a client checked out of its pool (a session's, a running statement's) nobody
// listened, and the error ended the whole process hosting the server (the vitest worker here).
describe('local Data API: engine connections ended under it', () => {
  let rs: TestRedshift;
  let admin: pg.Client;
  beforeAll(async () => {
    rs = await startTestRedshift();
    admin = new pg.Client(rs.databaseUrl);
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await rs?.stop();
  });

  /** Ends backend `pid` and waits until it is gone (PostgreSQL 14+: the timeout form waits). */
  const terminate = async (pid: number) => {
    const { rows } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1, 60000) AS ok', [
      pid,
    ]);
    expect(rows[0]?.ok).toBe(true);
  };

  /** A statement sent to the session is refused: the session is no more. */
  const expectSessionGone = async (sessionId: string) => {
    const refused = await rs.client
      .send(new ExecuteStatementCommand({ SessionId: sessionId, Sql: 'select 1' }))
      .then(
        () => undefined,
        (error: unknown) => error as Error,
      );
    expect(refused).toBeInstanceOf(ValidationException);
    expect(refused?.message).toContain(`Session ${sessionId} is not available`);
  };

  it('ends a session whose connection the engine ended; the server goes on', async () => {
    const first = await executeAndWait(rs, {
      Sql: 'create temp table kept (a int)',
      SessionKeepAliveSeconds: 60,
    });
    expect(first.Status).toBe('FINISHED');
    const sessionId = first.SessionId as string;
    await terminate(first.RedshiftPid as number);

    // The session cannot go on without its connection (its temp tables died with it): a
    // statement sent to it is refused or fails, and then the session is gone.
    const next = await rs.client
      .send(new ExecuteStatementCommand({ SessionId: sessionId, Sql: 'select count(*) from kept' }))
      .then(
        async ({ Id }) =>
          (await rs.client.send(new DescribeStatementCommand({ Id, WaitTimeSeconds: 30 }))).Status,
        (error: unknown) => error,
      );
    if (next instanceof Error) expect(next).toBeInstanceOf(ValidationException);
    else expect(next).toBe('FAILED');
    await expectSessionGone(sessionId);
    const listed = await rs.client.send(new ListSessionsCommand({}));
    expect(listed.Sessions?.map((s) => s.SessionId) ?? []).not.toContain(sessionId);

    expect((await executeAndWait(rs, { Sql: 'select 1' })).Status).toBe('FINISHED');
  });

  /** The backend running `sql`, once it runs it (bounded). */
  const running = (sql: string) => backendRunning(admin, sql);

  it('ends a session whose connection the engine ended while a statement of it ran', async () => {
    const first = await executeAndWait(rs, { Sql: 'select 1', SessionKeepAliveSeconds: 60 });
    const sessionId = first.SessionId as string;
    const { Id } = await rs.client.send(
      new ExecuteStatementCommand({ SessionId: sessionId, Sql: 'select pg_sleep(601)' }),
    );
    await terminate(await running('select pg_sleep(601)'));
    const d = await rs.client.send(new DescribeStatementCommand({ Id, WaitTimeSeconds: 30 }));
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toContain('terminating connection due to administrator command');
    await expectSessionGone(sessionId);
  });

  it('fails a running statement whose connection the engine ended; the next statements run', async () => {
    const { Id } = await rs.client.send(
      new ExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: rs.database,
        Sql: 'select pg_sleep(600)',
      }),
    );
    await terminate(await running('select pg_sleep(600)'));

    const d = await rs.client.send(new DescribeStatementCommand({ Id, WaitTimeSeconds: 30 }));
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toContain('terminating connection due to administrator command');
    for (let i = 0; i < 12; i++)
      expect((await executeAndWait(rs, { Sql: 'select 1' })).Status).toBe('FINISHED');
  });
});
