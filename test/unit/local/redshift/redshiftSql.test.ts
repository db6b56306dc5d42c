import {
  BatchExecuteStatementCommand,
  DescribeTableCommand,
  GetStatementResultCommand,
} from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  executeAndWait,
  startTestRedshift,
  type TestRedshift,
  waitForStatement,
} from '../../../helpers/testRedshift.ts';

describe('local Data API: Redshift SQL on PostgreSQL', () => {
  let rs: TestRedshift;
  beforeAll(async () => {
    rs = await startTestRedshift();
  });
  afterAll(async () => {
    await rs.stop();
  });

  async function rows(sql: string) {
    const d = await executeAndWait(rs, { Sql: sql });
    if (d.Status !== 'FINISHED') throw new Error(`${sql}: ${d.Status} ${d.Error}`);
    return (await rs.client.send(new GetStatementResultCommand({ Id: d.Id }))).Records;
  }

  it('runs sessions as Redshift does: backslash escapes, no escape warnings, UTC, ISO dates', async () => {
    expect(
      await rows(
        "select current_setting('standard_conforming_strings'), current_setting('escape_string_warning'), current_setting('TimeZone'), current_setting('DateStyle')",
      ),
    ).toEqual([
      [{ stringValue: 'off' }, { stringValue: 'off' }, { stringValue: 'UTC' }, { stringValue: 'ISO, MDY' }],
    ]);
    expect(await rows("select 'it\\'s', 'a\\\\b', 'tab\\there'")).toEqual([
      [{ stringValue: "it's" }, { stringValue: 'a\\b' }, { stringValue: 'tab\there' }],
    ]);
  });

  it('accepts Redshift DDL: DISTSTYLE/DISTKEY/SORTKEY/ENCODE/BACKUP, IDENTITY, VARCHAR(MAX)', async () => {
    const d = await executeAndWait(rs, {
      Sql: `create table if not exists public.events (
        id bigint identity(1, 1),
        kind varchar(max) not null encode lzo,
        at timestamp sortkey,
        amount decimal(12, 2) encode az64,
        note nvarchar(20) default 'none'
      ) backup no diststyle key distkey(id) compound sortkey(at, id)`,
    });
    expect(d.Status).toBe('FINISHED');
    await executeAndWait(rs, {
      Sql: "insert into events (kind, at, amount) values ('a', '2008-01-01', 1.5), ('b', '2008-01-02', 2)",
    });
    expect(await rows('select id, kind, note from events order by id')).toEqual([
      [{ longValue: 1 }, { stringValue: 'a' }, { stringValue: 'none' }],
      [{ longValue: 2 }, { stringValue: 'b' }, { stringValue: 'none' }],
    ]);
    const described = await rs.client.send(
      new DescribeTableCommand({
        ClusterIdentifier: 'local',
        Database: rs.database,
        Schema: 'public',
        Table: 'events',
      }),
    );
    expect(described.TableName).toBe('events');
    expect(described.ColumnList?.map((c) => [c.name, c.typeName, c.precision, c.scale, c.nullable])).toEqual([
      ['id', 'bigint', 0, 0, 0],
      ['kind', 'character varying', 65535, 0, 0],
      ['at', 'timestamp without time zone', 0, 0, 1],
      ['amount', 'numeric', 12, 2, 1],
      ['note', 'character varying', 20, 0, 1],
    ]);
    for (const sql of [
      'alter table events alter diststyle all',
      'alter table events alter compound sortkey (id)',
      'vacuum sort only events',
      'analyze compression events',
    ]) {
      expect((await executeAndWait(rs, { Sql: sql })).Status).toBe('FINISHED');
    }
  });

  it('creates a temp table LIKE another and uses it within one batch', async () => {
    const { Id } = await rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: rs.database,
        Sqls: [
          'create temp table stage_events (like events)',
          "insert into stage_events (id, kind, at, amount) values (10, 'c', '2008-01-03', 3)",
          // events.id is IDENTITY(1, 1): Redshift refuses explicit values for it.
          'insert into events (kind, at, amount) select kind, at, amount from stage_events',
          'select count(*) from events',
        ],
      }),
    );
    const d = await waitForStatement(rs.client, Id as string);
    expect(d.Status).toBe('FINISHED');
    expect((await rs.client.send(new GetStatementResultCommand({ Id: `${Id}:4` }))).Records).toEqual([
      [{ longValue: 3 }],
    ]);
  });

  it('provides the common Redshift functions', async () => {
    expect(
      await rows(`select nvl(null::int, 3), nvl2(null, 'a', 'b'), nvl2(1, 'a', 'b'),
        decode(2, 1, 'one', 2, 'two', 'other'), decode(9, 1, 'one', 'other'), decode(null, null, 'null matches', 'no'),
        len('abc'), charindex('c', 'abcd'), strtol('ff', 16)`),
    ).toEqual([
      [
        { longValue: 3 },
        { stringValue: 'b' },
        { stringValue: 'a' },
        { stringValue: 'two' },
        { stringValue: 'other' },
        { stringValue: 'null matches' },
        { longValue: 3 },
        { longValue: 3 },
        { longValue: 255 },
      ],
    ]);
    expect(
      await rows(`select dateadd(day, 1, '2008-01-31'::date), dateadd(month, 1, '2008-01-31'), dateadd(qtr, -1, '2008-05-15 10:00:00'::timestamp),
        dateadd(h, 36, '2008-01-01'),
        datediff(month, '2008-01-31'::date, '2008-03-01'::date), datediff(day, '2008-01-01', '2008-12-31'),
        datediff(year, '2007-12-31 23:59:59'::timestamp, '2008-01-01 00:00:00'::timestamp), datediff(week, '2008-01-06', '2008-01-07'),
        datediff(hour, '2008-01-01 10:59:00'::timestamp, '2008-01-01 11:00:00'::timestamp),
        date_part(dow, '2008-01-05'::date), date_trunc('month', '2008-01-05 10:00'::timestamp)`),
    ).toEqual([
      [
        { stringValue: '2008-02-01 00:00:00' },
        { stringValue: '2008-02-29 00:00:00' },
        { stringValue: '2008-02-15 10:00:00' },
        { stringValue: '2008-01-02 12:00:00' },
        { longValue: 2 },
        { longValue: 365 },
        { longValue: 1 },
        { longValue: 1 },
        { longValue: 1 },
        { doubleValue: 6 },
        { stringValue: '2008-01-01 00:00:00' },
      ],
    ]);
    const [[now, sys, typeOfNow]] = (await rows(
      "select getdate() <= sysdate + interval '1 minute', sysdate <= getdate() + interval '1 second', pg_typeof(getdate())::text",
    )) as [[{ booleanValue: boolean }, { booleanValue: boolean }, { stringValue: string }]];
    expect([now.booleanValue, sys.booleanValue, typeOfNow.stringValue]).toEqual([
      true,
      true,
      'timestamp without time zone',
    ]);
  });

  it('never enforces key constraints, as Redshift does not', async () => {
    expect(
      (
        await executeAndWait(rs, {
          Sql: 'create table keyed (id int not null primary key, code varchar(5) unique, primary key (id))',
        })
      ).Status,
    ).toBe('FINISHED');
    const dup = await executeAndWait(rs, { Sql: "insert into keyed values (1, 'a'), (1, 'a')" });
    expect(dup).toMatchObject({ Status: 'FINISHED', ResultRows: 2 });
    const nullId = await executeAndWait(rs, { Sql: "insert into keyed values (null, 'b')" });
    expect(nullId.Error).toBe(
      'ERROR: null value in column "id" of relation "keyed" violates not-null constraint',
    );
  });

  it('accepts #temp tables, SELECT TOP, MEDIAN, APPROXIMATE COUNT and Redshift-only SET', async () => {
    const { Id } = await rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: rs.database,
        Sqls: [
          "set query_group to 'etl'",
          'set enable_result_cache_for_session to off',
          'create table #nums (n int)',
          'insert into #nums select generate_series(1, 10)',
          'select top 3 n from #nums order by n desc',
          'select median(n), approximate count(distinct n) from #nums',
        ],
      }),
    );
    const d = await waitForStatement(rs.client, Id as string);
    expect(d.Status).toBe('FINISHED');
    expect((await rs.client.send(new GetStatementResultCommand({ Id: `${Id}:5` }))).Records).toEqual([
      [{ longValue: 10 }],
      [{ longValue: 9 }],
      [{ longValue: 8 }],
    ]);
    expect((await rs.client.send(new GetStatementResultCommand({ Id: `${Id}:6` }))).Records).toEqual([
      [{ doubleValue: 5.5 }, { longValue: 10 }],
    ]);
    expect((await executeAndWait(rs, { Sql: 'select * from #nums' })).Status).toBe('FAILED');
  });

  it('converts time zones and counts months like Redshift', async () => {
    expect(
      await rows(
        "select convert_timezone('UTC', 'America/New_York', '2008-07-01 12:00:00'::timestamp), convert_timezone('Asia/Tokyo', '2008-01-01 00:00:00'::timestamp), months_between('2008-03-31'::date, '2008-02-29'::date), months_between('2008-03-15'::date, '2008-01-15'::date)",
      ),
    ).toEqual([
      [
        { stringValue: '2008-07-01 08:00:00' },
        { stringValue: '2008-01-01 09:00:00' },
        { doubleValue: 1 },
        { doubleValue: 2 },
      ],
    ]);
  });

  it('aggregates strings with LISTAGG ... WITHIN GROUP', async () => {
    await executeAndWait(rs, {
      Sql: "create table cats as select * from (values ('Shows', 'Plays'), ('Shows', 'Opera'), ('Sports', 'NBA')) v(grp, name)",
    });
    expect(
      await rows(
        "select grp, listagg(name, ', ') within group (order by name) from cats group by grp order by grp",
      ),
    ).toEqual([
      [{ stringValue: 'Shows' }, { stringValue: 'Opera, Plays' }],
      [{ stringValue: 'Sports' }, { stringValue: 'NBA' }],
    ]);
  });

  it('answers the pg_last_* functions with their defaults until a command sets them', async () => {
    expect(
      await rows(
        'select pg_last_copy_count(), pg_last_unload_count(), pg_last_copy_id(), pg_last_query_id()',
      ),
    ).toEqual([[{ longValue: 0 }, { longValue: 0 }, { longValue: -1 }, { longValue: -1 }]]);
    const { Id } = await rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: rs.database,
        Sqls: ["select set_config('redshift.last_copy_count', '42', false)", 'select pg_last_copy_count()'],
      }),
    );
    await waitForStatement(rs.client, Id as string);
    expect((await rs.client.send(new GetStatementResultCommand({ Id: `${Id}:2` }))).Records).toEqual([
      [{ longValue: 42 }],
    ]);
  });

  it('records each statement of a batch as pg_last_query_id() for the next', async () => {
    const { Id } = await rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: rs.database,
        Sqls: ['select 1', 'select pg_last_query_id()'],
      }),
    );
    const d = await waitForStatement(rs.client, Id as string);
    const first = d.SubStatements?.[0]?.RedshiftQueryId as number;
    expect(first).toBeGreaterThan(0);
    expect(d.SubStatements?.[1]?.RedshiftQueryId).toBe(first + 1);
    expect((await rs.client.send(new GetStatementResultCommand({ Id: `${Id}:2` }))).Records).toEqual([
      [{ longValue: first }],
    ]);
  });

  it('runs several ;-separated statements of one ExecuteStatement and returns the last result', async () => {
    const d = await executeAndWait(rs, {
      Sql: "create table multi (a varchar(10)); insert into multi values ('x;y'), ('z'); select count(*) from multi;",
    });
    expect(d).toMatchObject({ Status: 'FINISHED', ResultRows: 1, HasResultSet: true });
    expect((await rs.client.send(new GetStatementResultCommand({ Id: d.Id }))).Records).toEqual([
      [{ longValue: 2 }],
    ]);
  });

  it('installs the compat functions in their own schema, on every session search_path', async () => {
    const client = new pg.Client(rs.databaseUrl);
    await client.connect();
    try {
      const { rows: fns } = await client.query(
        "select distinct p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'redshift_compat' order by 1",
      );
      expect(fns.map((r) => r.proname)).toEqual(
        expect.arrayContaining([
          'dateadd',
          'datediff',
          'getdate',
          'len',
          'pg_last_copy_count',
          'pg_last_query_id',
        ]),
      );
    } finally {
      await client.end();
    }
    expect(await rows('show search_path')).toEqual([[{ stringValue: 'public,redshift_compat' }]]);
  });
});
