import { GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAndWait } from '../../../../../helpers/testRedshift.ts';
import { type GuideRedshift, plainCells, startGuideRedshift } from './guideHarness.ts';

describe('Redshift catalog statements and views, as the Developer Guide shows them', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // The USERS columns the page lists (r_ALTER_TABLE_COL_ex-add-drop.html).
    await g.run(`create table users (userid integer not null distkey sortkey, username char(8),
      firstname varchar(30), likesports boolean)`);
    await g.run("insert into users values (1, 'JSG99FHE', 'Rafael', true)");
    await g.run('create table empty_t (a int)');
  });
  afterAll(async () => {
    await g.stop();
  });

  it('PG_TABLE_DEF lists the columns and types of visible tables (r_PG_TABLE_DEF.html, r_ALTER_TABLE_COL_ex-add-drop.html)', async () => {
    expect(
      await g.rows(`select "column", type, "notnull" from pg_table_def where tablename = 'users' order by 1`),
    ).toEqual([
      [{ stringValue: 'firstname' }, { stringValue: 'character varying(30)' }, { booleanValue: false }],
      [{ stringValue: 'likesports' }, { stringValue: 'boolean' }, { booleanValue: false }],
      [{ stringValue: 'userid' }, { stringValue: 'integer' }, { booleanValue: true }],
      [{ stringValue: 'username' }, { stringValue: 'character(8)' }, { booleanValue: false }],
    ]);
    // The tables UNLOAD/COPY write (stl_load_errors...) are not user tables.
    expect(await g.rows("select count(*) from pg_table_def where tablename like 'stl_%'")).toEqual([
      [{ longValue: 0 }],
    ]);
  });

  it('SVV_TABLE_INFO lists non-empty user tables with their rows (r_SVV_TABLE_INFO.html)', async () => {
    expect(await g.rows('select "schema", "table", tbl_rows from svv_table_info order by 2')).toEqual([
      [{ stringValue: 'public' }, { stringValue: 'users' }, { stringValue: '1' }],
    ]);
  });

  it('SVV_COLUMNS and SHOW COLUMNS (r_SVV_COLUMNS.html, r_SHOW_COLUMNS.html)', async () => {
    expect(
      await g.rows(
        "select column_name, data_type, character_maximum_length from svv_columns where table_name = 'users' order by ordinal_position",
      ),
    ).toEqual([
      [{ stringValue: 'userid' }, { stringValue: 'integer' }, { isNull: true }],
      [{ stringValue: 'username' }, { stringValue: 'character' }, { longValue: 8 }],
      [{ stringValue: 'firstname' }, { stringValue: 'character varying' }, { longValue: 30 }],
      [{ stringValue: 'likesports' }, { stringValue: 'boolean' }, { isNull: true }],
    ]);
    expect(
      await g.rows(`show columns from table ${g.rs.database}.public.users like '%name' limit 1`),
    ).toEqual([
      [
        { stringValue: g.rs.database },
        { stringValue: 'public' },
        { stringValue: 'users' },
        { stringValue: 'username' },
        { longValue: 2 },
        { isNull: true },
        { stringValue: 'YES' },
        { stringValue: 'character' },
        { longValue: 8 },
        { isNull: true },
        { isNull: true },
        { isNull: true },
      ],
    ]);
  });

  it('SHOW TABLES FROM SCHEMA db.schema (r_SHOW_TABLES.html)', async () => {
    expect(await g.rows(`show tables from schema ${g.rs.database}.public`)).toEqual([
      [
        { stringValue: g.rs.database },
        { stringValue: 'public' },
        { stringValue: 'empty_t' },
        { stringValue: 'TABLE' },
        { isNull: true },
        { isNull: true },
      ],
      [
        { stringValue: g.rs.database },
        { stringValue: 'public' },
        { stringValue: 'users' },
        { stringValue: 'TABLE' },
        { isNull: true },
        { isNull: true },
      ],
    ]);
    expect(await g.rows(`show tables from schema ${g.rs.database}.public like 'us%'`)).toHaveLength(1);
  });

  it('SHOW SCHEMAS FROM DATABASE db [LIKE] [LIMIT] (r_SHOW_SCHEMAS.html)', async () => {
    await g.run('create schema schemad79cd6d93bf043');
    const d = await executeAndWait(g.rs, { Sql: `show schemas from database ${g.rs.database}` });
    expect(d.Status, d.Error).toBe('FINISHED');
    const r = await g.rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    // The page's columns, in its order.
    expect(r.ColumnMetadata?.map((c) => c.name)).toEqual([
      'database_name',
      'schema_name',
      'schema_owner',
      'schema_type',
      'schema_acl',
      'source_database',
      'schema_option',
    ]);
    const rows = plainCells(r.Records as unknown[][]);
    // As in the page's example: pg_catalog, public, information_schema and a user schema, all local.
    expect(rows.map((row) => row[1])).toEqual(
      expect.arrayContaining(['information_schema', 'pg_catalog', 'public', 'schemad79cd6d93bf043']),
    );
    expect(rows.map((row) => row[1])).not.toContain('redshift_compat');
    const user = rows.find((row) => row[1] === 'schemad79cd6d93bf043');
    expect(user).toEqual([
      g.rs.database,
      'schemad79cd6d93bf043',
      expect.any(Number),
      'local',
      null,
      null,
      null,
    ]);
    expect(await g.rows(`show schemas from database ${g.rs.database} like 'schemad%'`)).toHaveLength(1);
    expect(await g.rows(`show schemas from database ${g.rs.database} limit 2`)).toHaveLength(2);
    // Another database's schemas are not this one's.
    expect(await g.rows('show schemas from database no_such_db')).toEqual([]);
  });

  it('SHOW DATABASES [LIKE] [LIMIT] (r_SHOW_DATABASES.html)', async () => {
    const d = await executeAndWait(g.rs, { Sql: `show databases like '${g.rs.database}'` });
    expect(d.Status, d.Error).toBe('FINISHED');
    const r = await g.rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    expect(r.ColumnMetadata?.map((c) => c.name)).toEqual([
      'database_name',
      'database_owner',
      'database_type',
      'database_acl',
      'parameters',
      'database_isolation_level',
    ]);
    // The page's row for dev: `dev | 1 | local | NULL | NULL | Snapshot Isolation`.
    expect(plainCells(r.Records as unknown[][])).toEqual([
      [g.rs.database, expect.any(Number), 'local', null, null, 'Snapshot Isolation'],
    ]);
    expect(await g.rows('show databases limit 1')).toHaveLength(1);
    expect(await g.rows("show databases like 'no\\_such\\_db%'")).toEqual([]);
  });

  it('SET and SHOW query_group within a session (r_SHOW.html, r_query_group.html)', async () => {
    expect(await g.rows('show query_group')).toEqual([[{ stringValue: 'unset' }]]);
    expect(await g.rows("set query_group to 'Monday'; show query_group")).toEqual([
      [{ stringValue: 'Monday' }],
    ]);
  });

  it('ANALYZE ... PREDICATE COLUMNS and VACUUM variants are accepted (r_ANALYZE.html, r_VACUUM_command.html)', async () => {
    await g.run('analyze users predicate columns');
    await g.run('analyze users all columns');
    await g.run('vacuum delete only users to 75 percent');
    await g.run('vacuum users');
  });
});
