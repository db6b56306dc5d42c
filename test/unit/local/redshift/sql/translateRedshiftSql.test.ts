import { describe, expect, it } from 'vitest';
import { joinTokens, tokenize } from '../../../../../local/redshift/sql/tokenize.ts';
import { translateRedshiftSql } from '../../../../../local/redshift/sql/translateRedshiftSql.ts';

const translate = async (sql: string) => {
  const r = await translateRedshiftSql(tokenize(sql));
  return r.noop ? 'NOOP' : joinTokens(r.tokens).replace(/\s+/g, ' ').trim();
};

describe('translateRedshiftSql: the parse tree decides, the text is kept', () => {
  it.each([
    [
      'AVG and SUM call the Redshift-typed aggregates',
      'select avg(a), sum(b), count(*) from t',
      'select redshift_compat.avg(a), redshift_compat.sum(b), count(*) from t',
    ],
    [
      'a qualified or star call is left alone',
      'select pg_catalog.avg(a), count(*) from t',
      'select pg_catalog.avg(a), count(*) from t',
    ],
    ['a column named avg is not a call', 'select avg from t', 'select avg from t'],
    [
      "EXTRACT's part becomes an argument",
      'select extract(ms from ts) from t',
      "select redshift_compat.extract('ms' , ts) from t",
    ],
    [
      'DATE_PART with a bare part',
      'select date_part(dow, ts) from t',
      "select redshift_compat.date_part('dow', ts) from t",
    ],
    [
      'FROM subquery without an alias gets one',
      'select * from (select 1 as x) where x = 1',
      'select * from (select 1 as x) AS unnamed_subquery_1 where x = 1',
    ],
    [
      'an aliased subquery keeps its alias',
      'select * from (select 1 as x) s',
      'select * from (select 1 as x) s',
    ],
    [
      'TOP in a subquery',
      'select * from (select top 2 a from t order by a) s',
      'select * from (select a from t order by a LIMIT 2) s',
    ],
    [
      'the aliased target of UPDATE ... FROM is the target row',
      "update c set x = 1 from e join c k on e.id = k.id where k.g = 'a' or k.g = 'b' -- note",
      'update c set x = 1 from e join c k on e.id = k.id where ( k.g = \'a\' or k.g = \'b\') AND "c".ctid = "k".ctid -- note',
    ],
    [
      'a genuine self-join naming the target is left alone',
      'update c set x = k.x from c k where c.parent = k.id',
      'update c set x = k.x from c k where c.parent = k.id',
    ],
  ])('%s', async (_name, sql, expected) => {
    expect(await translate(sql)).toBe(expected);
  });

  it('reads literals with backslash escapes and :name parameters without misplacing an edit', async () => {
    expect(await translate("select 'it\\'s', avg(a) from t where b = :b and c = 'x\\\\'")).toBe(
      "select 'it\\'s', redshift_compat.avg(a) from t where b = :b and c = 'x\\\\'",
    );
  });

  it('refuses what has no faithful translation, with Redshift-style wording', async () => {
    await expect(translate('select top 1 a from t union select b from u')).rejects.toThrow(
      /TOP together with UNION/,
    );
    await expect(translate('update c set x = 1 from e left join c k on e.id = k.id')).rejects.toThrow(
      'Target table must be part of an equijoin predicate',
    );
  });

  it('leaves what PostgreSQL cannot parse to the engine, which reports the syntax error', async () => {
    expect(await translate('select from from')).toBe('select from from');
  });

  it('marks TRUNCATE as committing', async () => {
    expect((await translateRedshiftSql(tokenize('truncate t'))).implicitCommit).toBe(true);
    expect((await translateRedshiftSql(tokenize('delete from t'))).implicitCommit).toBe(false);
  });
});
