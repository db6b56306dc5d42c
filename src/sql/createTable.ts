import { type QualifiedName, quoteIdent, quoteQualified } from './identifiers.ts';

/** Redshift column types a job may declare (nothing else reaches the SQL). */
export const REDSHIFT_TYPE =
  /^(smallint|int2|integer|int|int4|bigint|int8|real|float4|double precision|float8|float|boolean|bool|date|time|timetz|timestamp|timestamptz|super|geometry|varbyte(\(\d{1,6}\))?|(varchar|character varying|nvarchar|char|character|nchar|bpchar)(\((\d{1,5}|max)\))?|(numeric|decimal)(\(\d{1,2}(,\s*\d{1,2})?\))?)$/i;

export interface CreateTableSpec {
  table: QualifiedName | string;
  columns: readonly { name: string; type: string }[];
  distStyle?: 'auto' | 'even' | 'key' | 'all' | undefined;
  distKey?: string | undefined;
  sortKey?: readonly string[] | undefined;
}

/**
 * `CREATE TABLE IF NOT EXISTS`: a table that exists already is never altered (a concurrent run
 * creating it first wins, and nothing of a user's table changes). New columns are nullable.
 */
export function buildCreateTable(spec: CreateTableSpec): string {
  const columns = spec.columns.map((c) => {
    if (!REDSHIFT_TYPE.test(c.type.trim()))
      throw new Error(`unsupported column type "${c.type}" for "${c.name}"`);
    return `${quoteIdent(c.name, 'column name')} ${c.type.trim().toUpperCase()}`;
  });
  let sql = `CREATE TABLE IF NOT EXISTS ${quoteQualified(spec.table)} (${columns.join(', ')})`;
  const distStyle = spec.distStyle ?? (spec.distKey !== undefined ? 'key' : undefined);
  if (distStyle !== undefined) sql += ` DISTSTYLE ${distStyle.toUpperCase()}`;
  if (spec.distKey !== undefined) sql += ` DISTKEY (${quoteIdent(spec.distKey, 'column name')})`;
  if (spec.sortKey !== undefined && spec.sortKey.length > 0)
    sql += ` SORTKEY (${spec.sortKey.map((c) => quoteIdent(c, 'column name')).join(', ')})`;
  return sql;
}
