import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  GetStatementResultV2Command,
  ListStatementsCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  executeAndWait,
  startTestRedshift,
  type TestRedshift,
  waitForStatement,
} from '../../../helpers/testRedshift.ts';

describe('local Data API: statements', () => {
  let rs: TestRedshift;
  beforeAll(async () => {
    // Small pages so that paging is exercised with a modest result.
    rs = await startTestRedshift({ resultPageBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await rs.stop();
  });

  const target = () => ({ ClusterIdentifier: 'local', Database: rs.database, DbUser: 'awsuser' });

  it('returns typed fields and column metadata as the real API does', async () => {
    await executeAndWait(rs, {
      Sql: 'create table typed (id int, price decimal(8,2), name varchar(20), ok boolean, at timestamp, d date, r float8, big bigint, b bytea)',
    });
    await executeAndWait(rs, {
      Sql: "insert into typed values (1, 12.50, 'Ann', true, '2008-01-05 14:48:00', '2008-01-05', 0.25, 9007199254740991, '\\\\x0102ff'::bytea), (2, null, null, false, null, null, null, null, null)",
    });
    const d = await executeAndWait(rs, { Sql: 'select * from typed order by id', DbUser: 'awsuser' });
    expect(d).toMatchObject({
      Status: 'FINISHED',
      ResultRows: 2,
      HasResultSet: true,
      Database: rs.database,
      DbUser: 'awsuser',
    });
    expect(d.Duration).toBeGreaterThan(0);
    const r = await rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    expect(r.TotalNumRows).toBe(2);
    expect(r.NextToken).toBeUndefined();
    expect(r.Records).toEqual([
      [
        { longValue: 1 },
        { stringValue: '12.50' },
        { stringValue: 'Ann' },
        { booleanValue: true },
        { stringValue: '2008-01-05 14:48:00' },
        { stringValue: '2008-01-05' },
        { doubleValue: 0.25 },
        { longValue: 9007199254740991 },
        { blobValue: new Uint8Array([1, 2, 255]) },
      ],
      [
        { longValue: 2 },
        { isNull: true },
        { isNull: true },
        { booleanValue: false },
        { isNull: true },
        { isNull: true },
        { isNull: true },
        { isNull: true },
        { isNull: true },
      ],
    ]);
    expect(
      r.ColumnMetadata?.map((c) => [c.name, c.typeName, c.precision, c.scale, c.tableName, c.schemaName]),
    ).toEqual([
      ['id', 'int4', 10, 0, 'typed', 'public'],
      ['price', 'numeric', 8, 2, 'typed', 'public'],
      ['name', 'varchar', 20, 0, 'typed', 'public'],
      ['ok', 'bool', 0, 0, 'typed', 'public'],
      ['at', 'timestamp', 0, 0, 'typed', 'public'],
      ['d', 'date', 0, 0, 'typed', 'public'],
      ['r', 'float8', 17, 17, 'typed', 'public'],
      ['big', 'int8', 19, 0, 'typed', 'public'],
      // VARBYTE is stored as bytea; the Data API names Redshift's type.
      ['b', 'varbyte', 0, 0, 'typed', 'public'],
    ]);
    expect(r.ColumnMetadata?.[2]).toMatchObject({
      isCaseSensitive: true,
      isSigned: false,
      label: 'name',
      nullable: 1,
    });
  });

  it('reports rows affected, -1 for DDL, and no result set for either', async () => {
    const ddl = await executeAndWait(rs, { Sql: 'create table affected (a int)' });
    expect(ddl).toMatchObject({ Status: 'FINISHED', ResultRows: -1, HasResultSet: false, ResultSize: -1 });
    const ins = await executeAndWait(rs, { Sql: 'insert into affected select generate_series(1, 5)' });
    expect(ins).toMatchObject({ Status: 'FINISHED', ResultRows: 5, HasResultSet: false });
    const upd = await executeAndWait(rs, { Sql: 'update affected set a = a + 1 where a > 2' });
    expect(upd.ResultRows).toBe(3);
    const del = await executeAndWait(rs, { Sql: 'delete from affected' });
    expect(del.ResultRows).toBe(5);
    await expect(rs.client.send(new GetStatementResultCommand({ Id: del.Id }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('turns a SQL error into a FAILED status with Redshift-like Error text', async () => {
    const d = await executeAndWait(rs, { Sql: 'select * from no_such_table' });
    expect(d).toMatchObject({ Status: 'FAILED', Error: 'ERROR: relation "no_such_table" does not exist' });
    const err = await rs.client.send(new GetStatementResultCommand({ Id: d.Id })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toContain('FAILED');
  });

  it('fails a statement on a database that does not exist', async () => {
    const d = await executeAndWait(rs, { Sql: 'select 1', Database: 'no_such_db' });
    expect(d).toMatchObject({ Status: 'FAILED', Error: 'FATAL: database "no_such_db" does not exist' });
  });

  it('binds :name parameters as values, never inside literals, identifiers or comments', async () => {
    const evil = "x'); drop table typed; --";
    const d = await executeAndWait(rs, {
      Sql: 'select :n::int + 1 as n, \':n\' as literal, :s as s /* :n */, ":n" from (select 1 as ":n") q -- :s',
      Parameters: [
        { name: 'n', value: '41' },
        { name: 's', value: evil },
      ],
    });
    expect(d.Status).toBe('FINISHED');
    expect(d.QueryParameters).toEqual([
      { name: 'n', value: '41' },
      { name: 's', value: evil },
    ]);
    const r = await rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    expect(r.Records).toEqual([
      [{ longValue: 42 }, { stringValue: ':n' }, { stringValue: evil }, { longValue: 1 }],
    ]);
    const count = await executeAndWait(rs, {
      Sql: 'select count(*) from typed where name = :name',
      Parameters: [{ name: 'name', value: 'Ann' }],
    });
    expect((await rs.client.send(new GetStatementResultCommand({ Id: count.Id }))).Records).toEqual([
      [{ longValue: 1 }],
    ]);
  });

  it('runs a batch as one transaction: a failure rolls every statement back', async () => {
    await executeAndWait(rs, { Sql: 'create table tx (a int)' });
    const { Id } = await rs.client.send(
      new BatchExecuteStatementCommand({
        ...target(),
        Sqls: [
          'insert into tx values (1)',
          'insert into tx values (2)',
          'insert into missing values (3)',
          'insert into tx values (4)',
        ],
      }),
    );
    const d = await waitForStatement(rs.client, Id as string);
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toBe('ERROR: relation "missing" does not exist');
    expect(d.ExecutionMode).toBe('TRANSACTION');
    expect(d.SubStatements?.map((s) => [s.Id, s.Status])).toEqual([
      [`${Id}:1`, 'FINISHED'],
      [`${Id}:2`, 'FINISHED'],
      [`${Id}:3`, 'FAILED'],
      [`${Id}:4`, 'ABORTED'],
    ]);
    const sub = await rs.client.send(new DescribeStatementCommand({ Id: `${Id}:3` }));
    expect(sub).toMatchObject({
      Id: `${Id}:3`,
      Status: 'FAILED',
      QueryString: 'insert into missing values (3)',
    });
    const direct = new pg.Client(rs.databaseUrl);
    await direct.connect();
    try {
      expect((await direct.query('select count(*)::int as n from tx')).rows).toEqual([{ n: 0 }]);
    } finally {
      await direct.end();
    }
  });

  it('runs an AUTO_COMMIT batch statement by statement', async () => {
    await executeAndWait(rs, { Sql: 'create table ac (a int)' });
    const { Id } = await rs.client.send(
      new BatchExecuteStatementCommand({
        ...target(),
        ExecutionMode: 'AUTO_COMMIT',
        Sqls: [
          'insert into ac values (1)',
          'insert into nope values (2)',
          'insert into ac values (3)',
          'select a from ac order by a',
        ],
      }),
    );
    const d = await waitForStatement(rs.client, Id as string);
    expect(d.Status).toBe('FAILED');
    expect(d.HasResultSet).toBe(true);
    expect(d.SubStatements?.map((s) => [s.Status, s.ResultRows, s.HasResultSet])).toEqual([
      ['FINISHED', 1, false],
      ['FAILED', -1, false],
      ['FINISHED', 1, false],
      ['FINISHED', 2, true],
    ]);
    const r = await rs.client.send(new GetStatementResultCommand({ Id: `${Id}:4` }));
    expect(r.Records).toEqual([[{ longValue: 1 }], [{ longValue: 3 }]]);
    await expect(rs.client.send(new GetStatementResultCommand({ Id }))).rejects.toBeInstanceOf(
      ValidationException,
    );
  });

  it('pages a large result with NextToken, in order, every row once', async () => {
    const d = await executeAndWait(rs, {
      Sql: "select g as n, 'row ' || g as s from generate_series(1, 20000) g order by g",
    });
    expect(d.ResultRows).toBe(20000);
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await rs.client.send(new GetStatementResultCommand({ Id: d.Id, NextToken: token }));
      expect(r.TotalNumRows).toBe(20000);
      for (const rec of r.Records ?? []) {
        seen.push(rec[0]?.longValue as number);
        expect(rec[1]?.stringValue).toBe(`row ${rec[0]?.longValue}`);
      }
      token = r.NextToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(3);
    expect(seen).toEqual(Array.from({ length: 20000 }, (_, i) => i + 1));
    await expect(
      rs.client.send(new GetStatementResultCommand({ Id: d.Id, NextToken: 'not-a-token' })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('serves CSV results through GetStatementResultV2', async () => {
    const d = await executeAndWait(rs, {
      Sql: "select 1 as a, 'x,y' as b, null as c union all select 2, 'say \"hi\"', 'z' order by a",
      ResultFormat: 'CSV',
    });
    const r = await rs.client.send(new GetStatementResultV2Command({ Id: d.Id }));
    expect(r.ResultFormat).toBe('CSV');
    expect(r.Records).toEqual([{ CSVRecords: 'a,b,c\n1,"x,y",\n2,"say ""hi""",z\n' }]);
    await expect(rs.client.send(new GetStatementResultCommand({ Id: d.Id }))).rejects.toBeInstanceOf(
      ValidationException,
    );
  });

  it('waits with WaitTimeSeconds and answers as soon as the statement ends', async () => {
    const started = await rs.client.send(
      new ExecuteStatementCommand({ ...target(), Sql: 'select pg_sleep(0.2), 7 as n', WaitTimeSeconds: 30 }),
    );
    expect(started.Status).toBe('FINISHED');
    expect(started.HasResultSet).toBe(true);
    const { Id } = await rs.client.send(
      new ExecuteStatementCommand({ ...target(), Sql: 'select pg_sleep(0.2)' }),
    );
    const d = await rs.client.send(new DescribeStatementCommand({ Id, WaitTimeSeconds: 30 }));
    expect(d.Status).toBe('FINISHED');
  });

  it('lists statements by name prefix and status, newest first', async () => {
    const a = await executeAndWait(rs, { Sql: 'select 1', StatementName: 'nightly-export-1' });
    const b = await executeAndWait(rs, { Sql: 'select 2', StatementName: 'nightly-export-2' });
    await executeAndWait(rs, { Sql: 'select nope', StatementName: 'nightly-export-3' });
    await executeAndWait(rs, { Sql: 'select 3', StatementName: 'other' });
    const listed = await rs.client.send(
      new ListStatementsCommand({ StatementName: 'nightly-export', Status: 'FINISHED' }),
    );
    expect(listed.Statements?.map((s) => [s.Id, s.StatementName, s.QueryString, s.IsBatchStatement])).toEqual(
      [
        [b.Id, 'nightly-export-2', 'select 2', false],
        [a.Id, 'nightly-export-1', 'select 1', false],
      ],
    );
    const page = await rs.client.send(new ListStatementsCommand({ MaxResults: 1 }));
    expect(page.Statements).toHaveLength(1);
    expect(page.NextToken).toBeDefined();
    // AWS: "By default, only finished statements are shown."
    const byDefault = await rs.client.send(new ListStatementsCommand({ StatementName: 'nightly-export' }));
    expect(byDefault.Statements?.map((s) => s.StatementName)).toEqual([
      'nightly-export-2',
      'nightly-export-1',
    ]);
    const all = await rs.client.send(
      new ListStatementsCommand({ StatementName: 'nightly-export', Status: 'ALL' }),
    );
    expect(all.Statements?.map((s) => [s.StatementName, s.Status])).toEqual([
      ['nightly-export-3', 'FAILED'],
      ['nightly-export-2', 'FINISHED'],
      ['nightly-export-1', 'FINISHED'],
    ]);
  });

  it('answers a repeated ClientToken with the same statement', async () => {
    const input = { ...target(), Sql: 'select 1', ClientToken: 'token-0001' };
    const first = await rs.client.send(new ExecuteStatementCommand(input));
    const second = await rs.client.send(new ExecuteStatementCommand(input));
    expect(second.Id).toBe(first.Id);
  });

  it('isolates statements: temp tables and settings do not leak through the pool', async () => {
    await executeAndWait(rs, { Sql: 'create temp table scratch (a int)' });
    await executeAndWait(rs, { Sql: 'set search_path to nowhere' });
    const d = await executeAndWait(rs, { Sql: 'select count(*) from scratch' });
    expect(d).toMatchObject({ Status: 'FAILED', Error: 'ERROR: relation "scratch" does not exist' });
    const ok = await executeAndWait(rs, { Sql: 'select count(*) from typed' });
    expect(ok.Status).toBe('FINISHED');
  });
});
