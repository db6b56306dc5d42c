import { SqlBuildError } from '../errors.ts';

/**
 * Identifiers and literals for generated SQL. Everything user-controlled that reaches SQL text
 * passes through one of these functions; nothing is concatenated raw.
 */

// Redshift identifiers: 1-127 bytes; we accept what Redshift accepts unquoted plus the characters
// users really have in names (spaces, dashes, dots inside quotes), and reject control characters
// and double quotes outright rather than trying to escape them.
const IDENT = /^[^\u0000-\u001f\u007f"]{1,127}$/;
// Invisible characters (zero-width, bidi controls, BOM) make a name that looks like another one
// ("Trojan Source"); a name with them is refused, never quoted.
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

/** Quotes one identifier: `sales` -> `"sales"`. Throws SqlBuildError naming the bad input. */
export function quoteIdent(name: string, what = 'identifier'): string {
  if (!IDENT.test(name) || name.trim() !== name) {
    throw new SqlBuildError(
      `Invalid ${what} ${JSON.stringify(name)}: use 1-127 characters without double quotes, control characters or leading/trailing spaces.`,
    );
  }
  if (INVISIBLE.test(name)) {
    throw new SqlBuildError(
      `Invalid ${what} ${JSON.stringify(name)}: it contains an invisible character (zero-width or bidirectional control, U+${(name.match(INVISIBLE)?.[0] ?? '').codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}); type the name again without it.`,
    );
  }
  if (Buffer.byteLength(name, 'utf8') > 127) {
    throw new SqlBuildError(`Invalid ${what} ${JSON.stringify(name)}: longer than 127 bytes.`);
  }
  return `"${name}"`;
}

export interface QualifiedName {
  schema?: string | undefined;
  name: string;
}

/**
 * Parses `schema.table` or `table` (unquoted parts, as written in job documents). A name with a
 * dot inside must be given as an object with `schema` and `name`.
 */
export function parseQualifiedName(text: string): QualifiedName {
  const parts = text.split('.');
  if (parts.length === 1) return { name: text };
  if (parts.length === 2 && parts[0] !== undefined && parts[1] !== undefined) {
    return { schema: parts[0], name: parts[1] };
  }
  throw new SqlBuildError(
    `Invalid table name ${JSON.stringify(text)}: expected "table" or "schema.table" (give {schema, name} for names containing dots).`,
  );
}

/** `"schema"."table"` or `"table"`. */
export function quoteQualified(table: QualifiedName | string): string {
  const q = typeof table === 'string' ? parseQualifiedName(table) : table;
  return q.schema === undefined
    ? quoteIdent(q.name, 'table name')
    : `${quoteIdent(q.schema, 'schema name')}.${quoteIdent(q.name, 'table name')}`;
}

/**
 * A SQL string literal for Redshift: `O'Brien` -> `'O''Brien'`. Redshift reads backslash escapes
 * in literals (it descends from PostgreSQL 8.0, standard_conforming_strings off; COPY's
 * DELIMITER '\t' relies on it), so backslashes are doubled as well. NUL is refused.
 */
export function sqlString(value: string): string {
  if (value.includes('\u0000'))
    throw new SqlBuildError('A SQL string literal cannot contain a NUL character.');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The text of UNLOAD ('...'): the inner query as one quoted literal, escaped by `sqlString`.
 * A backslash in the query must itself be escaped or `\'` inside one of its literals would end
 * the string early (the spark-redshift #215 bug); quotes are doubled, per the UNLOAD docs.
 */
export function unloadQueryLiteral(query: string): string {
  const trimmed = query.trim().replace(/;+\s*$/, '');
  if (trimmed === '') throw new SqlBuildError('The UNLOAD query is empty.');
  return `(${sqlString(trimmed)})`;
}
