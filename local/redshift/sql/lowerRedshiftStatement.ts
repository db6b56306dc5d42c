import { userRelation } from '../commands/systemTables.ts';
import { RedshiftSqlError } from '../commands/types.ts';
import { COMPAT_SCHEMA } from '../engine/compatFunctions.ts';
import { pgIdent, pgLiteral } from './pgQuote.ts';
import { isTrivia, isWord, type Token, tokenize } from './tokenize.ts';

/** The value of an identifier token as Redshift folds it (unquoted: lower case). */
function identifier(token: Token | undefined): string | undefined {
  if (token?.kind === 'word') return token.text.toLowerCase();
  if (token?.kind === 'quotedIdent') return token.text.slice(1, -1).replace(/""/g, '"');
  return undefined;
}

/** The value of a '...' literal token (the forms SHOW's LIKE takes). */
function stringValue(token: Token | undefined): string | undefined {
  if (token?.kind !== 'string' || !token.text.startsWith("'")) return undefined;
  return token.text.slice(1, -1).replace(/''/g, "'").replace(/\\(.)/g, '$1');
}

/** `a.b[.c]` at `at`: the names, and the index after them. */
function qualifiedName(m: readonly Token[], at: number): { parts: string[]; next: number } {
  const parts: string[] = [];
  let i = at;
  for (;;) {
    const name = identifier(m[i]);
    if (name === undefined) break;
    parts.push(name);
    const dot = m[i + 1];
    if (dot?.kind !== 'punct' || dot.text !== '.') {
      i++;
      break;
    }
    i += 2;
  }
  return { parts, next: i };
}

/** `[LIKE 'pattern'] [LIMIT n]` after SHOW TABLES/COLUMNS, as SQL clauses on `column`. */
function likeAndLimit(
  m: readonly Token[],
  at: number,
  column: string,
  statement: string,
): { where: string; limit: string } {
  let i = at;
  let where = '';
  let limit = '';
  if (isWord(m[i], 'like')) {
    const pattern = stringValue(m[i + 1]);
    if (pattern === undefined) throw syntax(statement, m[i + 1]);
    where = ` AND ${column} LIKE ${pgLiteral(pattern)}`;
    i += 2;
  }
  if (isWord(m[i], 'limit')) {
    const n = m[i + 1];
    if (n?.kind !== 'number' || !/^\d+$/.test(n.text) || Number(n.text) > 10000) {
      throw new RedshiftSqlError(`${statement}: LIMIT takes a row count from 0 to 10000`, '22023');
    }
    limit = ` LIMIT ${n.text}`;
    i += 2;
  }
  if (i < m.length) throw syntax(statement, m[i]);
  return { where, limit };
}

function syntax(statement: string, at: Token | undefined): RedshiftSqlError {
  return new RedshiftSqlError(
    at === undefined
      ? `syntax error at end of input in ${statement}`
      : `syntax error at or near "${at.text}" in ${statement}`,
    '42601',
  );
}

/** `ALTER TABLE t APPEND FROM s [IGNOREEXTRA | FILLTARGET]` as a call of the compat procedure. */
function alterTableAppend(m: readonly Token[]): Token[] | undefined {
  const target = qualifiedName(m, 2);
  if (!isWord(m[target.next], 'append') || !isWord(m[target.next + 1], 'from')) return undefined;
  const source = qualifiedName(m, target.next + 2);
  const written = (from: number, to: number) =>
    m
      .slice(from, to)
      .map((t) => t.text)
      .join('');
  let mode = 'none';
  const option = m[source.next];
  if (isWord(option, 'ignoreextra', 'filltarget')) mode = (option as Token).text.toLowerCase();
  else if (option !== undefined) throw syntax('ALTER TABLE APPEND', option);
  if (m.length > source.next + (mode === 'none' ? 0 : 1))
    throw syntax('ALTER TABLE APPEND', m[source.next + 1]);
  return tokenize(
    `CALL redshift_compat.alter_table_append(${pgLiteral(written(2, target.next))}, ${pgLiteral(written(target.next + 2, source.next))}, '${mode}')`,
  );
}

/**
 * Whole statements Redshift has and PostgreSQL does not, as the PostgreSQL statement that
 * answers them; undefined for every other statement:
 * - `SHOW TABLES FROM SCHEMA db.schema [LIKE 'p'] [LIMIT n]` and `SHOW COLUMNS FROM TABLE
 *   db.schema.table [LIKE 'p'] [LIMIT n]`: queries of the catalog with Redshift's columns;
 * - `SHOW DATABASES [LIKE 'p'] [LIMIT n]`: the cluster's databases (r_SHOW_DATABASES);
 * - `SHOW SCHEMAS FROM DATABASE db [LIKE 'p'] [LIMIT n]`: the database's schemas (r_SHOW_SCHEMAS);
 * - `ALTER TABLE t APPEND FROM s [IGNOREEXTRA | FILLTARGET]` calls redshift_compat.alter_table_append;
 * - `SHOW TABLE [schema.]table`: the table's CREATE TABLE statement (showTable);
 * - `SET|RESET query_group` keep the label in the session (`redshift.query_group`), and
 *   `SHOW query_group` prints it (`unset` when none, as Redshift does).
 */
export function lowerRedshiftStatement(tokens: readonly Token[]): Token[] | undefined {
  const m = tokens.filter((t) => !isTrivia(t));
  const w = (i: number) => (m[i]?.kind === 'word' ? (m[i] as Token).text.toLowerCase() : '');
  if ((w(0) === 'set' || w(0) === 'reset') && w(1) === 'query_group') {
    const at = m[1] as Token;
    return tokens.map((t) => (t === at ? { ...t, text: 'redshift.query_group' } : t));
  }
  if (w(0) === 'alter' && w(1) === 'table') return alterTableAppend(m);
  if (w(0) !== 'show') return undefined;
  if (w(1) === 'query_group' && m.length === 2) {
    return tokenize(
      "SELECT coalesce(nullif(current_setting('redshift.query_group', true), ''), 'unset')::varchar AS query_group",
    );
  }
  if (w(1) === 'table') {
    const { parts, next } = qualifiedName(m, 2);
    if (parts.length < 1 || parts.length > 2 || next !== m.length) throw syntax('SHOW TABLE', m[next]);
    return tokenize(showTable(parts));
  }
  if (w(1) === 'tables' && w(2) === 'from' && w(3) === 'schema') {
    const { parts, next } = qualifiedName(m, 4);
    if (parts.length !== 2) throw syntax('SHOW TABLES', m[4 + parts.length * 2 - 1]);
    const [database, schema] = parts as [string, string];
    const { where, limit } = likeAndLimit(m, next, 'c.relname', 'SHOW TABLES');
    return tokenize(`SELECT current_database()::varchar AS database_name, n.nspname::varchar AS schema_name,
  c.relname::varchar AS table_name,
  (CASE WHEN c.relkind = 'v' OR c.relkind = 'm' THEN 'VIEW' ELSE 'TABLE' END)::varchar AS table_type,
  NULL::varchar AS table_acl, obj_description(c.oid, 'pg_class')::varchar AS remarks
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ${pgLiteral(schema)}
  AND ${userRelation('n.nspname', 'c.relname')}
  AND current_database() = ${pgLiteral(database)}${where}
ORDER BY c.relname${limit}`);
  }
  if (w(1) === 'databases' && !isWord(m[2], 'from')) {
    const { where, limit } = likeAndLimit(m, 2, 'd.datname', 'SHOW DATABASES');
    // r_SHOW_DATABASES's columns; the isolation level printed is Redshift's default for a new
    // database (the local engine runs PostgreSQL's own).
    return tokenize(`SELECT d.datname::varchar AS database_name, d.datdba::int AS database_owner,
  'local'::varchar AS database_type, NULL::varchar AS database_acl, NULL::varchar AS parameters,
  'Snapshot Isolation'::varchar AS database_isolation_level
FROM pg_database d
WHERE NOT d.datistemplate AND d.datallowconn${where}
ORDER BY d.datname${limit}`);
  }
  if (w(1) === 'schemas' && w(2) === 'from' && w(3) === 'database') {
    const { parts, next } = qualifiedName(m, 4);
    if (parts.length !== 1) throw syntax('SHOW SCHEMAS', m[next]);
    const { where, limit } = likeAndLimit(m, next, 'n.nspname', 'SHOW SCHEMAS');
    // r_SHOW_SCHEMAS: every schema the database has, system ones included (pg_catalog,
    // information_schema), not the emulator's own nor PostgreSQL's temporary and TOAST ones.
    return tokenize(`SELECT current_database()::varchar AS database_name, n.nspname::varchar AS schema_name,
  n.nspowner::int AS schema_owner, 'local'::varchar AS schema_type,
  array_to_string(n.nspacl, '~')::varchar AS schema_acl, NULL::varchar AS source_database,
  NULL::varchar AS schema_option
FROM pg_namespace n
WHERE n.nspname <> ${pgLiteral(COMPAT_SCHEMA)} AND n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname NOT LIKE 'pg\\_toast%'
  AND current_database() = ${pgLiteral(parts[0] as string)}${where}
ORDER BY n.nspname${limit}`);
  }
  if (w(1) === 'columns' && w(2) === 'from' && w(3) === 'table') {
    const { parts, next } = qualifiedName(m, 4);
    if (parts.length !== 3) throw syntax('SHOW COLUMNS', m[4 + parts.length * 2 - 1]);
    const [database, schema, table] = parts as [string, string, string];
    const { where, limit } = likeAndLimit(m, next, 'column_name', 'SHOW COLUMNS');
    return tokenize(`SELECT table_catalog::varchar AS database_name, table_schema::varchar AS schema_name,
  table_name::varchar AS table_name, column_name::varchar AS column_name, ordinal_position::int AS ordinal_position,
  column_default::varchar AS column_default, is_nullable::varchar AS is_nullable, data_type::varchar AS data_type,
  character_maximum_length::int AS character_maximum_length, numeric_precision::int AS numeric_precision,
  numeric_scale::int AS numeric_scale, NULL::varchar AS remarks
FROM information_schema.columns
WHERE table_catalog = ${pgLiteral(database)} AND table_schema = ${pgLiteral(schema)} AND table_name = ${pgLiteral(table)}${where}
ORDER BY ordinal_position${limit}`);
  }
  return undefined;
}

/**
 * The encoding Redshift gives a column created without ENCODE (c_Compression_encodings): AZ64 for
 * integers, DECIMAL, DATE and TIMESTAMP[TZ], LZO for CHAR and VARCHAR, RAW (not printed) otherwise.
 */
const DEFAULT_ENCODING = `CASE WHEN a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
    'date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) THEN ' ENCODE az64'
  WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) THEN ' ENCODE lzo' ELSE '' END`;

/**
 * `SHOW TABLE [schema.]table` (r_SHOW_TABLE): the CREATE TABLE statement of the table, in the
 * guide's one-line form, from what the catalog keeps: names, types, DEFAULT, NOT NULL. Physical
 * attributes and key constraints are not kept locally: the encodings printed are Redshift's
 * defaults and the table's style DISTSTYLE AUTO. A missing table fails as Redshift's does.
 */
function showTable(parts: readonly string[]): string {
  const quoted = parts.map(pgIdent).join('.');
  return `SELECT 'CREATE TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' ( ' ||
  (SELECT string_agg(quote_ident(a.attname) || ' ' ||
      (CASE WHEN a.atttypid = 'jsonb'::regtype THEN 'super' ELSE format_type(a.atttypid, a.atttypmod) END) ||
      (CASE WHEN d.adbin IS NOT NULL AND a.attidentity = '' THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END) ||
      (CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END) || ${DEFAULT_ENCODING}, ', ' ORDER BY a.attnum)
   FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) ||
  ' ) DISTSTYLE AUTO;' AS "Show Table DDL statement"
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = ${pgLiteral(quoted)}::regclass`;
}
