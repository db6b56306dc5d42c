import { describe, expect, it } from 'vitest';
import { type GuideRedshift, useGuideRedshift } from './guideHarness.ts';

const ddl = async (g: GuideRedshift, sql: string) =>
  ((await g.rows(sql))[0]?.[0] as { stringValue?: string } | undefined)?.stringValue;

describe('SHOW TABLE (r_SHOW_TABLE): the CREATE TABLE statement of a table', () => {
  const g = useGuideRedshift();

  it("prints the page's one-line form, with Redshift's default encodings", async () => {
    // The page's foo is `(a int PRIMARY KEY, b int)`; key constraints are informational on
    // Redshift and not kept locally (docs/redshift-sql.md), so a is declared NOT NULL here.
    await g.run('create table foo(a int NOT NULL, b int)');
    expect(await ddl(g, 'show table foo')).toBe(
      'CREATE TABLE public.foo ( a integer NOT NULL ENCODE az64, b integer ENCODE az64 ) DISTSTYLE AUTO;',
    );
    await g.run(
      'create table category (catid smallint not null, catgroup varchar(10), catname varchar(10), catdesc varchar(50))',
    );
    expect(await ddl(g, 'show table public.category')).toBe(
      'CREATE TABLE public.category ( catid smallint NOT NULL ENCODE az64, catgroup character varying(10) ENCODE lzo, ' +
        'catname character varying(10) ENCODE lzo, catdesc character varying(50) ENCODE lzo ) DISTSTYLE AUTO;',
    );
  });

  it('recreates the table: types, defaults, NOT NULL, SUPER and quoted names survive a round trip', async () => {
    await g.run('create schema sales_s');
    await g.run(`create table sales_s."Sales Line" (salesid integer not null, pricepaid numeric(8,2) default 0,
      saletime timestamp, flag boolean, doc super, note char(4))`);
    const text = await ddl(g, 'show table sales_s."Sales Line"');
    expect(text).toBe(
      'CREATE TABLE sales_s."Sales Line" ( salesid integer NOT NULL ENCODE az64, pricepaid numeric(8,2) DEFAULT 0 ENCODE az64, ' +
        'saletime timestamp without time zone ENCODE az64, flag boolean, doc super, note character(4) ENCODE lzo ) DISTSTYLE AUTO;',
    );
    await g.run('drop table sales_s."Sales Line"');
    await g.run(text as string);
    expect(await ddl(g, 'show table sales_s."Sales Line"')).toBe(text);
  });

  it('a missing table fails, naming it', async () => {
    expect(await g.fails('show table no_such_table')).toMatch(/relation "no_such_table" does not exist/);
  });
});
