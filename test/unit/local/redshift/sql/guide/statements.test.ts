import { BatchExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForStatement } from '../../../../../helpers/testRedshift.ts';
import { type GuideRedshift, startGuideRedshift, useGuideRedshift } from './guideHarness.ts';

const CATEGORY = `insert into category values
  (5, 'Sports', 'MLS', 'Major League Soccer'), (11, 'Concerts', 'Classical', 'All symphony, concerto, and choir concerts'),
  (1, 'Sports', 'MLB', 'Major League Baseball'), (6, 'Shows', 'Musicals', 'Musical theatre'),
  (3, 'Sports', 'NFL', 'National Football League'), (8, 'Shows', 'Opera', 'All opera and light opera'),
  (2, 'Sports', 'NHL', 'National Hockey League'), (9, 'Concerts', 'Pop', 'All rock and pop music concerts'),
  (4, 'Sports', 'NBA', 'National Basketball Association'), (7, 'Shows', 'Plays', 'All non-musical theatre'),
  (10, 'Concerts', 'Jazz', 'All jazz singers and bands')`;

describe('Redshift statements, as the Developer Guide shows them', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    await g.run(
      'create table category (catid smallint not null distkey sortkey, catgroup varchar(10), catname varchar(10), catdesc varchar(50))',
    );
    await g.run('create table event (eventid integer not null, catid smallint not null)');
    // Only categories 6, 7, 8 and 9 are represented in EVENT (c_Examples_of_UPDATE_statements.html).
    await g.run('insert into event values (1, 6), (2, 7), (3, 8), (4, 9), (5, 9)');
  });
  afterAll(async () => {
    await g.stop();
  });

  it('UPDATE ... FROM with the target listed again under an alias updates only the joined rows (c_Examples_of_UPDATE_statements.html)', async () => {
    await g.run('truncate category');
    await g.run(CATEGORY);
    // "An alternative way to write this example": only Pop (catid 9, Concerts) qualifies.
    await g.run(`update category set catid=100
      from event join category cat on event.catid=cat.catid
      where cat.catgroup='Concerts'`);
    expect(await g.rows('select catid, catgroup, catname from category where catid=100')).toEqual([
      [{ longValue: 100 }, { stringValue: 'Concerts' }, { stringValue: 'Pop' }],
    ]);
    expect(await g.rows('select count(*) from category')).toEqual([[{ longValue: 11 }]]);
    // The page's outer-join variant is refused with Redshift's error.
    expect(
      await g.fails(`update category set catid=100
      from event left join category cat on event.catid=cat.catid
      where cat.catgroup='Concerts'`),
    ).toBe('ERROR: Target table must be part of an equijoin predicate');
    // ... and its rewrite with a subquery runs (Concerts in EVENT: none left after the update).
    await g.run(`update category set catid=100
      from (select event.catid from event left join category cat on event.catid=cat.catid) eventcat
      where category.catid=eventcat.catid and catgroup='Shows'`);
    expect(await g.rows('select catname from category where catid=100 order by catname')).toEqual([
      [{ stringValue: 'Musicals' }],
      [{ stringValue: 'Opera' }],
      [{ stringValue: 'Plays' }],
      [{ stringValue: 'Pop' }],
    ]);
  });

  it('TOP limits its own SELECT, subqueries included (r_SELECT_list.html, r_TOP)', async () => {
    await g.run('truncate category');
    await g.run(CATEGORY);
    expect(await g.rows('select top 3 catid from category order by catid desc')).toEqual([
      [{ longValue: 11 }],
      [{ longValue: 10 }],
      [{ longValue: 9 }],
    ]);
    // TOP in a subquery limits the subquery: 3 rows counted, not 11.
    expect(
      await g.rows('select count(*) from (select top 3 catid from category order by catid) as t'),
    ).toEqual([[{ longValue: 3 }]]);
    expect(
      await g.rows(
        'select catid from category where catid in (select top 2 catid from category order by catid desc) order by 1',
      ),
    ).toEqual([[{ longValue: 10 }], [{ longValue: 11 }]]);
    expect(await g.rows('select distinct top 2 catgroup from category order by 1')).toEqual([
      [{ stringValue: 'Concerts' }],
      [{ stringValue: 'Shows' }],
    ]);
  });

  it('a subquery in FROM needs no alias (r_WF_first_value.html)', async () => {
    await g.run('create table venue (venuename varchar(100), venuestate char(2), venueseats integer)');
    await g.run(`insert into venue values ('Qualcomm Stadium', 'CA', 70561), ('Monster Park', 'CA', 69843),
      ('Shoreline Amphitheatre', 'CA', 22000), ('INVESCO Field', 'CO', 76125), ('Coors Field', 'CO', 50445),
      ('Empty Hall', 'CO', 0)`);
    expect(
      await g.rows(`select venuestate, venueseats, venuename,
        first_value(venuename)
        over(partition by venuestate
        order by venueseats desc
        rows between unbounded preceding and unbounded following)
        from (select * from venue where venueseats >0)
        order by venuestate, venueseats desc`),
    ).toEqual([
      [
        { stringValue: 'CA' },
        { longValue: 70561 },
        { stringValue: 'Qualcomm Stadium' },
        { stringValue: 'Qualcomm Stadium' },
      ],
      [
        { stringValue: 'CA' },
        { longValue: 69843 },
        { stringValue: 'Monster Park' },
        { stringValue: 'Qualcomm Stadium' },
      ],
      [
        { stringValue: 'CA' },
        { longValue: 22000 },
        { stringValue: 'Shoreline Amphitheatre' },
        { stringValue: 'Qualcomm Stadium' },
      ],
      [
        { stringValue: 'CO' },
        { longValue: 76125 },
        { stringValue: 'INVESCO Field' },
        { stringValue: 'INVESCO Field' },
      ],
      [
        { stringValue: 'CO' },
        { longValue: 50445 },
        { stringValue: 'Coors Field' },
        { stringValue: 'INVESCO Field' },
      ],
    ]);
  });

  it('ALTER TABLE ADD COLUMN with ENCODE adds the column (r_ALTER_TABLE.html, r_ALTER_TABLE_COL_ex-add-drop.html)', async () => {
    await g.run('create table users_a (userid integer not null)');
    await g.run('insert into users_a values (1), (2)');
    await g.run('alter table users_a add column feedback_score int default NULL');
    await g.run("alter table users_a add column note varchar(20) default 'none' encode lzo");
    expect(await g.rows('select userid, feedback_score, note from users_a order by 1')).toEqual([
      [{ longValue: 1 }, { isNull: true }, { stringValue: 'none' }],
      [{ longValue: 2 }, { isNull: true }, { stringValue: 'none' }],
    ]);
    // Changing only the encoding (r_ALTER_TABLE_examples_basic.html) has nothing to do locally.
    await g.run('alter table users_a alter column note encode az64');
  });

  it('information_schema.columns names SUPER and VARBYTE as Redshift does (r_SUPER_type.html, r_VARBYTE_type.html)', async () => {
    await g.run('create table semi (id int, doc super, raw varbyte(16))');
    expect(
      await g.rows(
        "select column_name, data_type from information_schema.columns where table_name = 'semi' order by ordinal_position",
      ),
    ).toEqual([
      [{ stringValue: 'id' }, { stringValue: 'integer' }],
      [{ stringValue: 'doc' }, { stringValue: 'super' }],
      [{ stringValue: 'raw' }, { stringValue: 'binary varying' }],
    ]);
  });

  it('ALTER COLUMN ... TYPE widens a VARCHAR, but not within a transaction block (r_ALTER_TABLE.html, r_ALTER_TABLE_examples_basic.html)', async () => {
    await g.run('create table event_w (eventid integer not null, eventname varchar(8))');
    await g.run("insert into event_w values (1, 'Macbeth')");
    expect(await g.fails('begin; alter table event_w alter column eventname type varchar(300); end')).toBe(
      'ERROR: ALTER TABLE ALTER COLUMN cannot run inside a transaction block',
    );
    expect(
      await g.rows(
        "select character_maximum_length from information_schema.columns where table_name = 'event_w' and column_name = 'eventname'",
      ),
    ).toEqual([[{ longValue: 8 }]]);
    // "Alter a VARCHAR column size": the example's statement, on its own.
    await g.run('alter table event_w alter column eventname type varchar(300)');
    await g.run("insert into event_w values (2, 'The Phantom of the Opera, the long-running musical')");
    expect(
      await g.rows(
        "select character_maximum_length from information_schema.columns where table_name = 'event_w' and column_name = 'eventname'",
      ),
    ).toEqual([[{ longValue: 300 }]]);
    expect(await g.rows('select eventname from event_w order by eventid')).toEqual([
      [{ stringValue: 'Macbeth' }],
      [{ stringValue: 'The Phantom of the Opera, the long-running musical' }],
    ]);
  });

  it('IDENTITY(seed, step) generates values and refuses explicit ones; GENERATED BY DEFAULT takes them (r_CREATE_TABLE_NEW.html)', async () => {
    await g.run('create table venue_ident (venueid bigint identity(0, 1), venuename varchar(100))');
    await g.run("insert into venue_ident (venuename) values ('a'), ('b')");
    await g.run("insert into venue_ident values (default, 'c')");
    expect(await g.rows('select venueid, venuename from venue_ident order by 1')).toEqual([
      [{ longValue: 0 }, { stringValue: 'a' }],
      [{ longValue: 1 }, { stringValue: 'b' }],
      [{ longValue: 2 }, { stringValue: 'c' }],
    ]);
    expect(await g.fails("insert into venue_ident values (42, 'explicit')")).toBe(
      'ERROR: cannot set an identity column to a value',
    );
    expect(await g.rows('select count(*) from venue_ident')).toEqual([[{ longValue: 3 }]]);
    await g.run('create table t_default (id int generated by default as identity(1, 1), v varchar(5))');
    await g.run("insert into t_default values (42, 'x')");
    await g.run("insert into t_default (v) values ('y')");
    expect(await g.rows('select id, v from t_default order by v')).toEqual([
      [{ longValue: 42 }, { stringValue: 'x' }],
      [{ longValue: 1 }, { stringValue: 'y' }],
    ]);
  });

  it('TRUNCATE commits the transaction it runs in: a rollback cannot bring the rows back (r_TRUNCATE.html)', async () => {
    await g.run('create table date_tr (d date)');
    await g.run("insert into date_tr values ('2008-01-01'), ('2008-01-02')");
    // The page's example, in one session: begin; truncate date; rollback; select count(*).
    expect(await g.rows('begin; truncate date_tr; rollback; select count(*) from date_tr')).toEqual([
      [{ longValue: 0 }],
    ]);
    // In a transactional batch, a failure after TRUNCATE keeps both the TRUNCATE and what it
    // committed; only the statements after it are rolled back.
    await g.run("insert into date_tr values ('2008-01-01')");
    await g.run('create table other_tr (n int)');
    const { Id } = await g.rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: g.rs.database,
        Sqls: [
          'insert into other_tr values (1)',
          'truncate date_tr',
          "insert into date_tr values ('2009-09-09')",
          'select 1/0',
        ],
      }),
    );
    expect((await waitForStatement(g.rs.client, Id as string)).Status).toBe('FAILED');
    expect(await g.rows('select count(*) from date_tr')).toEqual([[{ longValue: 0 }]]);
    expect(await g.rows('select count(*) from other_tr')).toEqual([[{ longValue: 1 }]]);
  });
});

describe('ALTER TABLE APPEND, as the Developer Guide describes it (r_ALTER_TABLE_APPEND.html)', () => {
  const g = useGuideRedshift();

  it('moves the rows of like-named columns and empties only the source', async () => {
    await g.run('create table sales (salesid int, qtysold smallint, note varchar(10))');
    await g.run('create table sales_monthly (qtysold smallint, salesid int, note varchar(10))');
    await g.run('create table bystander (salesid int)');
    await g.run("insert into sales values (1, 1, 'old')");
    await g.run("insert into sales_monthly values (2, 10, 'new'), (3, 11, 'new')");
    await g.run('insert into bystander values (99)');
    await g.run('alter table sales append from sales_monthly');
    expect(await g.rows('select salesid, qtysold, note from sales order by 1')).toEqual([
      [{ longValue: 1 }, { longValue: 1 }, { stringValue: 'old' }],
      [{ longValue: 10 }, { longValue: 2 }, { stringValue: 'new' }],
      [{ longValue: 11 }, { longValue: 3 }, { stringValue: 'new' }],
    ]);
    expect(await g.rows('select count(*) from sales_monthly')).toEqual([[{ longValue: 0 }]]);
    expect(await g.rows('select salesid from bystander')).toEqual([[{ longValue: 99 }]]);
  });

  it('IGNOREEXTRA and FILLTARGET; mismatches fail and move nothing', async () => {
    await g.run("create table sales_report (salesid int, region varchar(5) default 'n/a')");
    await g.run('create table sales_month (salesid int)');
    await g.run('create table sales_listing (salesid int, listid int)');
    await g.run('insert into sales_month values (1)');
    await g.run('insert into sales_listing values (2, 20)');
    expect(await g.fails('alter table sales_report append from sales_month')).toMatch(/FILLTARGET/);
    expect(await g.rows('select count(*) from sales_month')).toEqual([[{ longValue: 1 }]]);
    await g.run('alter table sales_report append from sales_month filltarget');
    await g.run('create table sales_small (salesid int)');
    expect(await g.fails('alter table sales_small append from sales_listing')).toMatch(/IGNOREEXTRA/);
    await g.run('alter table sales_small append from sales_listing ignoreextra');
    expect(await g.rows('select salesid, region from sales_report')).toEqual([
      [{ longValue: 1 }, { stringValue: 'n/a' }],
    ]);
    expect(await g.rows('select salesid from sales_small')).toEqual([[{ longValue: 2 }]]);
    await g.run('create table typed_a (salesid bigint)');
    await g.run('insert into typed_a values (5)');
    expect(await g.fails('alter table sales_small append from typed_a')).toMatch(/same type/);
    expect(await g.rows('select count(*) from typed_a')).toEqual([[{ longValue: 1 }]]);
  });

  it('cannot run inside a transaction block', async () => {
    await g.run('create table ta (a int)');
    await g.run('create table tb (a int)');
    await g.run('insert into tb values (1)');
    expect(await g.fails('begin; alter table ta append from tb; end')).toBe(
      'ERROR: ALTER TABLE APPEND cannot run inside a transaction block',
    );
    expect(await g.rows('select count(*) from tb')).toEqual([[{ longValue: 1 }]]);
  });
});
