import type { CopyStatement } from '../parser/ast.ts';
import { Check, columnCheck } from './csvLoadEncoder.ts';
import type { TargetColumn } from './targetColumns.ts';

/** A Parquet leaf column as DuckDB reads it: `parquet_schema()`'s physical type and DESCRIBE's type. */
export interface DuckdbSourceColumn {
  name: string;
  /** DuckDB's logical type, e.g. INTEGER, DECIMAL(12,2), TIMESTAMP, VARCHAR. */
  type: string;
  /** Parquet physical type: INT32, INT64, INT96, BYTE_ARRAY, ... */
  physical: string;
}

/** Raised inside DuckDB when a value would not pass through the converter unchanged. */
export const SLOW_VALUE = 'parquet fast path: value needs the converter';

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const INTS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT']);
/** Largest magnitude of each integer type: a bound at or above it needs no check per value. */
const INT_MAX: Record<string, bigint> = {
  TINYINT: 127n,
  SMALLINT: 32767n,
  INTEGER: 2147483647n,
  BIGINT: 9223372036854775807n,
};
/** Integer magnitude below 10^digits (no check where the type cannot reach it). */
function below(x: string, type: string, digits: number): string {
  const bound = 10n ** BigInt(digits) - 1n;
  return bound >= (INT_MAX[type] as bigint) ? 'true' : `${x} BETWEEN -${bound} AND ${bound}`;
}
/** PostgreSQL COPY text escaping, only for the values that need it (replace costs 10x a search). */
const escaped = (x: string) =>
  `CASE WHEN contains(${x}, '\\') OR contains(${x}, chr(9)) OR contains(${x}, chr(10)) OR contains(${x}, chr(13)) ` +
  `THEN replace(replace(replace(replace(${x}, '\\', '\\\\'), chr(10), '\\n'), chr(13), '\\r'), chr(9), '\\t') ELSE ${x} END`;

/**
 * The DuckDB expression rendering one value as the exact COPY text today's converter would write
 * for it, with a guard mirroring `passesThrough` (csvLoadEncoder.ts): where the guard fails
 * DuckDB raises SLOW_VALUE and the whole file goes through the hyparquet path, which produces
 * the converted value or today's exact error. Undefined when the pair of types has no fast path.
 */
function columnExpr(src: DuckdbSourceColumn, col: TargetColumn, st: CopyStatement): string | undefined {
  const c = columnCheck(col, st);
  const x = ident(src.name);
  let text: string;
  let guard: string;
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(src.type);
  if (INTS.has(src.type) && (c.check === Check.Int || c.check === Check.Numeric)) {
    text = `${x}::VARCHAR`;
    guard = below(x, src.type, c.max);
  } else if (decimal && c.check === Check.Numeric) {
    const scale = Number(decimal[2]);
    if (scale > c.scale) return undefined; // extra decimals are rounded or truncated by the converter
    text = `${x}::VARCHAR`;
    const intDigits = Number(decimal[1]) - scale;
    guard = intDigits <= c.max ? 'true' : `(abs(${x}) < 1 OR abs(${x}) < ${10n ** BigInt(c.max)})`;
  } else if (
    c.check === Check.Float &&
    (src.type === 'FLOAT' || (src.type === 'DOUBLE' && col.typeName === 'double precision'))
  ) {
    // Shortest round-trip text of the double (a FLOAT widened first, as hyparquet hands it over):
    // PostgreSQL parses it to the same value as JavaScript's text. -0 is written as 0 like
    // String(-0); NaN and infinities need the converter. A DOUBLE into REAL would round twice.
    text = `CASE WHEN ${x} = 0 THEN '0' ELSE ${x}::DOUBLE::VARCHAR END`;
    guard = `isfinite(${x})`;
  } else if (src.type === 'BOOLEAN' && c.check === Check.Bool) {
    text = `CASE WHEN ${x} THEN 't' ELSE 'f' END`;
    guard = 'true';
  } else if (src.type === 'DATE' && c.check === Check.Date) {
    text = `${x}::VARCHAR`; // ISO YYYY-MM-DD for years 1000-9999
    guard = `${x} BETWEEN DATE '1000-01-01' AND DATE '9999-12-31'`;
  } else if (
    (src.type === 'TIMESTAMP' || src.type === 'TIMESTAMP WITH TIME ZONE') &&
    src.physical === 'INT64' &&
    c.check === Check.Timestamp
  ) {
    // INT64 micro/milliseconds only: INT96 and nanoseconds are rounded differently by hyparquet.
    // TIMESTAMPTZ: the UTC wall clock without offset, as the converter writes it.
    const ts = src.type === 'TIMESTAMP' ? x : `${x}::TIMESTAMP`;
    text = `${ts}::VARCHAR`;
    guard = `${ts} BETWEEN TIMESTAMP '1000-01-01' AND TIMESTAMP '9999-12-31 23:59:59.999999'`;
  } else if (
    src.type === 'VARCHAR' &&
    src.physical === 'BYTE_ARRAY' &&
    (c.check === Check.Varchar || c.check === Check.Char || c.check === Check.Text)
  ) {
    // ASCII only (byte length = character count): the converter's checks count bytes.
    const parts = [`${x} <> ''`, `strlen(${x}) = length(${x})`];
    if (c.check !== Check.Text) parts.push(`strlen(${x}) <= ${c.max}`);
    if (c.check === Check.Char || st.trimBlanks) parts.push(`NOT ends_with(${x}, ' ')`);
    if (st.blanksAsNull) parts.push(`NOT regexp_matches(${x}, '[ \\t\\n\\v\\f\\r]$')`);
    guard = parts.join(' AND ');
    text = escaped(x);
  } else return undefined;
  const slow = `error(${sqlString(SLOW_VALUE)})`;
  // NULL into NOT NULL is a load error: the hyparquet path reports it.
  const ifNull = col.notNull ? slow : `'\\N'`;
  return `CASE WHEN ${x} IS NULL THEN ${ifNull} WHEN ${guard} THEN ${text} ELSE ${slow} END`;
}

/**
 * DuckDB's `COPY (SELECT line ...) TO` writing the file's rows as PostgreSQL COPY text lines, or
 * undefined when a column has no fast path (then the file goes through hyparquet).
 */
export function duckdbCopyTextSql(
  parquetPath: string,
  outPath: string,
  sources: DuckdbSourceColumn[],
  cols: TargetColumn[],
  st: CopyStatement,
): string | undefined {
  if (sources.length !== cols.length || cols.length === 0) return undefined;
  if (new Set(sources.map((s) => s.name)).size !== sources.length) return undefined;
  const exprs: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const e = columnExpr(sources[i] as DuckdbSourceColumn, cols[i] as TargetColumn, st);
    if (e === undefined) return undefined;
    exprs.push(e);
  }
  const line = exprs.join(' || chr(9) || ');
  return `COPY (SELECT ${line} AS line FROM read_parquet(${sqlString(parquetPath)})) TO ${sqlString(outPath)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER chr(1))`;
}
