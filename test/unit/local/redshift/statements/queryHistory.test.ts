import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../../../local/redshift/sql/tokenize.ts';
import { queryType } from '../../../../../local/redshift/statements/queryHistory.ts';

describe('queryType: the query_type of SYS_QUERY_HISTORY', () => {
  it.each([
    ['select 1', 'SELECT'],
    ['with x as (select 1) select * from x', 'SELECT'],
    ['insert into t values (1)', 'INSERT'],
    ['update t set a = 1', 'UPDATE'],
    ['delete from t', 'DELETE'],
    ["copy t from 's3://b/k' iam_role default", 'COPY'],
    ["unload ('select 1') to 's3://b/p' iam_role default", 'UNLOAD'],
    ['create table t (a int)', 'DDL'],
    ['create table t as select 1 as a', 'CTAS'],
    ['CREATE TABLE t AS (SELECT 1 AS a)', 'CTAS'],
    ['truncate t', 'DDL'],
    ["set query_group to 'x'", 'UTILITY'],
    ['/* note */ select 2', 'SELECT'],
    ['lock t', 'OTHER'],
  ])('%s is %s', (sql, type) => {
    expect(queryType(tokenize(sql))).toBe(type);
  });
});
