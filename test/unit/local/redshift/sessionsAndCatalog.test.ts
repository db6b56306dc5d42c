import {
  BatchExecuteStatementCommand,
  DescribeTableCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListDatabasesCommand,
  ListSchemasCommand,
  ListSessionsCommand,
  ListTablesCommand,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  executeAndWait,
  startTestRedshift,
  type TestRedshift,
  waitForStatement,
} from '../../../helpers/testRedshift.ts';

describe('local Data API: sessions and catalog', () => {
  let rs: TestRedshift;
  beforeAll(async () => {
    rs = await startTestRedshift();
  });
  afterAll(async () => {
    await rs.stop();
  });

  it('keeps a session (temp tables included) between statements with SessionKeepAliveSeconds/SessionId', async () => {
    const first = await executeAndWait(rs, {
      Sql: 'create temp table kept (a int)',
      SessionKeepAliveSeconds: 60,
    });
    expect(first.Status).toBe('FINISHED');
    const sessionId = first.SessionId as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await rs.client.send(new ListSessionsCommand({}));
    expect(listed.Sessions?.map((s) => [s.SessionId, s.Status, s.Database])).toEqual([
      [sessionId, 'AVAILABLE', rs.database],
    ]);

    const { Id: insertId } = await rs.client.send(
      new ExecuteStatementCommand({ SessionId: sessionId, Sql: 'insert into kept values (1), (2)' }),
    );
    expect((await waitForStatement(rs.client, insertId as string)).ResultRows).toBe(2);
    const { Id } = await rs.client.send(
      new ExecuteStatementCommand({ SessionId: sessionId, Sql: 'select sum(a) from kept' }),
    );
    const d = await waitForStatement(rs.client, Id as string);
    expect(d.SessionId).toBe(sessionId);
    expect((await rs.client.send(new GetStatementResultCommand({ Id }))).Records).toEqual([
      [{ longValue: 3 }],
    ]);

    // Outside the session the temp table does not exist.
    const outside = await executeAndWait(rs, { Sql: 'select * from kept' });
    expect(outside.Status).toBe('FAILED');

    const unknown = await rs.client
      .send(
        new ExecuteStatementCommand({ SessionId: '11111111-1111-4111-8111-111111111111', Sql: 'select 1' }),
      )
      .catch((e: unknown) => e as Error);
    expect(unknown).toBeInstanceOf(ValidationException);
    expect((unknown as Error).message).toContain('is not available');
  });

  it('answers ExecuteStatement and BatchExecuteStatement with the SessionId of the session they open', async () => {
    const submitted = await rs.client.send(
      new ExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: rs.database,
        Sql: 'select 1',
        SessionKeepAliveSeconds: 60,
      }),
    );
    expect(submitted.SessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await waitForStatement(rs.client, submitted.Id as string)).SessionId).toBe(submitted.SessionId);
    const batch = await rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: rs.database,
        Sqls: ['select 1', 'select 2'],
        SessionKeepAliveSeconds: 60,
      }),
    );
    expect(batch.SessionId).toMatch(/^[0-9a-f-]{36}$/);
    await waitForStatement(rs.client, batch.Id as string);
    // The announced session is usable.
    const reused = await rs.client.send(
      new ExecuteStatementCommand({ SessionId: batch.SessionId, Sql: 'select 3' }),
    );
    expect(reused.SessionId).toBe(batch.SessionId);
    expect((await waitForStatement(rs.client, reused.Id as string)).Status).toBe('FINISHED');
  });

  it('lists databases, schemas and tables of the engine', async () => {
    await executeAndWait(rs, { Sql: 'create schema sales_mart' });
    await executeAndWait(rs, { Sql: 'create table sales_mart.facts (a int)' });
    await executeAndWait(rs, { Sql: 'create view sales_mart.v_facts as select * from sales_mart.facts' });
    const target = { ClusterIdentifier: 'local', Database: rs.database };
    const dbs = await rs.client.send(new ListDatabasesCommand(target));
    expect(dbs.Databases).toContain(rs.database);
    const schemas = await rs.client.send(new ListSchemasCommand({ ...target, SchemaPattern: 'sales%' }));
    expect(schemas.Schemas).toEqual(['sales_mart']);
    const tables = await rs.client.send(new ListTablesCommand({ ...target, SchemaPattern: 'sales_mart' }));
    expect(tables.Tables).toEqual([
      { name: 'facts', schema: 'sales_mart', type: 'TABLE' },
      { name: 'v_facts', schema: 'sales_mart', type: 'VIEW' },
    ]);
  });

  it('shows only user objects and the Redshift system views, not PostgreSQL internals or our helpers', async () => {
    await executeAndWait(rs, { Sql: 'create table public.mine (id int not null, note varchar(20))' });
    const target = { ClusterIdentifier: 'local', Database: rs.database };

    const schemas = (await rs.client.send(new ListSchemasCommand(target))).Schemas ?? [];
    const tables = (await rs.client.send(new ListTablesCommand(target))).Tables ?? [];
    const dbs = (await rs.client.send(new ListDatabasesCommand(target))).Databases ?? [];

    expect(schemas).toContain('public');
    expect(schemas).toContain('pg_catalog');
    expect(schemas.filter((s) => /^(information_schema|redshift_compat|pg_toast|pg_temp)/.test(s))).toEqual(
      [],
    );
    expect(dbs).not.toContain('postgres');
    expect(dbs).not.toContain('template1');
    expect(tables).toContainEqual({ name: 'mine', schema: 'public', type: 'TABLE' });
    // Redshift's system views are where Redshift has them; PostgreSQL's catalogs are not listed.
    expect(tables).toContainEqual({ name: 'stl_load_errors', schema: 'pg_catalog', type: 'VIEW' });
    expect(tables).toContainEqual({ name: 'svv_table_info', schema: 'pg_catalog', type: 'VIEW' });
    expect(tables.filter((t) => t.schema === 'public' && /^(stl|sys|svv|pg)_/.test(t.name ?? ''))).toEqual(
      [],
    );
    expect(
      tables.filter((t) => ['pg_class', 'pg_namespace', 'columns', 'tables'].includes(t.name ?? '')),
    ).toEqual([]);
    expect(tables.filter((t) => /^(information_schema|redshift_compat)$/.test(t.schema ?? ''))).toEqual([]);

    const mine = await rs.client.send(
      new DescribeTableCommand({ ...target, Schema: 'public', Table: 'mine' }),
    );
    expect(mine.ColumnList?.map((c) => [c.name, c.nullable, c.schemaName])).toEqual([
      ['id', 0, 'public'],
      ['note', 1, 'public'],
    ]);
    const loadErrors = await rs.client.send(
      new DescribeTableCommand({ ...target, Schema: 'pg_catalog', Table: 'stl_load_errors' }),
    );
    expect(loadErrors.ColumnList?.map((c) => c.name)).toContain('filename');
    expect(new Set(loadErrors.ColumnList?.map((c) => c.schemaName))).toEqual(new Set(['pg_catalog']));
    for (const [Schema, Table] of [
      ['pg_catalog', 'pg_class'],
      ['information_schema', 'columns'],
      ['public', 'stl_load_errors'],
    ] as const) {
      const hidden = await rs.client.send(new DescribeTableCommand({ ...target, Schema, Table }));
      expect(hidden.ColumnList, `${Schema}.${Table}`).toEqual([]);
    }
  });
});
