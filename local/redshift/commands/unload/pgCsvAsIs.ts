import { pgLiteral } from '../../sql/pgQuote.ts';
import type { ResultColumn } from './columns.ts';
import { canTranscode } from './csvTranscoder.ts';

/**
 * When PostgreSQL's own CSV writer already prints what Redshift's UNLOAD CSV does, UNLOAD lets it
 * write the final bytes and Node only routes rows (CsvRowRouter); otherwise the statement goes
 * through the CsvTranscoder. Both print values with the same output functions and quote a field
 * holding the delimiter, `"`, CR or LF, doubling its quotes (AWS: "A field is quoted with `"` if it
 * contains the delimiter, `"`, CR or LF"). PostgreSQL also quotes a value equal to its NULL string,
 * and a lone `\.` when the row has one column; Redshift quotes neither. So the bytes are the same
 * exactly when no column can print the NULL AS string (or `\.` alone): per type below, and
 * TEXT/VARCHAR values equal to it become NULL in the query, which prints the same string unquoted.
 */

const BOOL = 16;
const TEXT = 25;
const BPCHAR = 1042;
const VARCHAR = 1043;

/** Numbers and date/times print a digit, or a spelled-out infinity or NaN. */
const NUMERIC_OR_TIME = (s: string) => /[0-9]/.test(s) || /^[-+]?(infinity|nan)$/i.test(s);

/** What each type can print (a superset is enough: a false alarm only costs the fast path). */
const MAY_PRINT = new Map<number, (s: string) => boolean>([
  [BOOL, (s) => s === 't' || s === 'f'],
  ...[20, 21, 23, 26, 700, 701, 1700, 1082, 1083, 1114, 1184, 1186, 1266].map(
    (oid) => [oid, NUMERIC_OR_TIME] as const,
  ),
  [2950, (s) => /^[0-9a-f]{8}-/i.test(s)], // uuid
  // json prints its input as it was: a JSON value, maybe after whitespace.
  [114, (s) => /^[ \t\n\r{["0-9tfn-]/.test(s)],
]);

/** Whether a value of `column` may print as `s`; undefined when the type is not known here. */
function mayPrint(column: ResultColumn, s: string): boolean | undefined {
  if (column.typeOid === BPCHAR) {
    // CHAR(n) prints exactly n characters; unconstrained bpchar can print anything.
    return column.typmod > 4 ? [...s].length === column.typmod - 4 : undefined;
  }
  return MAY_PRINT.get(column.typeOid)?.(s);
}

/**
 * The `COPY ... TO STDOUT` whose output is byte for byte Redshift's UNLOAD CSV of `query`, or
 * undefined when PostgreSQL's CSV would differ for these columns and options.
 */
export function pgCsvAsIsSql(
  query: string,
  columns: ResultColumn[],
  delimiter: string,
  nullAs: string,
): string | undefined {
  if (columns.length === 0 || !canTranscode(delimiter, nullAs)) return undefined;
  // PostgreSQL refuses a NULL string holding the delimiter, the quote, CR or LF.
  if ([delimiter, '"', '\r', '\n'].some((c) => nullAs.includes(c))) return undefined;
  const alone = columns.length === 1;
  let wrapped = false;
  const exprs: string[] = [];
  for (const [i, column] of columns.entries()) {
    const name = `c${i + 1}`;
    if (column.typeOid === TEXT || column.typeOid === VARCHAR) {
      if (alone) return undefined; // `\.` is a TEXT value
      // Byte equality (collation "C" is deterministic), whatever the column's collation.
      exprs.push(`NULLIF(${name}, ${pgLiteral(nullAs)} COLLATE "C")`);
      wrapped = true;
      continue;
    }
    if (mayPrint(column, nullAs) !== false || (alone && mayPrint(column, '\\.') !== false)) return undefined;
    exprs.push(name);
  }
  const source = wrapped
    ? `SELECT ${exprs.join(', ')} FROM (${query}\n) AS rt_unload_query(${columns.map((_, i) => `c${i + 1}`).join(', ')})`
    : `${query}\n`;
  return `COPY (${source}) TO STDOUT WITH (FORMAT csv, DELIMITER ${pgLiteral(delimiter)}, NULL ${pgLiteral(nullAs)}, QUOTE '"', ESCAPE '"')`;
}
