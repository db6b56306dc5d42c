import type { FixedWidthField } from '../parser/ast.ts';
import { RedshiftSqlError } from '../types.ts';
import type { ResultColumn } from './columns.ts';
import type { Row } from './copyTextRows.ts';

export interface DelimitedOptions {
  format: 'text' | 'csv';
  delimiter: string;
  nullAs: string;
  addQuotes: boolean;
  escape: boolean;
}

function csvField(v: string, delimiter: string): string {
  if (v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r'))
    return `"${v.replace(/"/g, '""')}"`;
  return v;
}

function escapeText(v: string, delimiter: string, addQuotes: boolean): string {
  let out = '';
  for (const ch of v) {
    if (ch === '\n' || ch === '\r' || ch === '\\' || ch === delimiter || (addQuotes && ch === '"'))
      out += '\\';
    out += ch;
  }
  return out;
}

/**
 * One line of delimited UNLOAD output (without the newline), following Redshift's rules: NULL as
 * the NULL AS string ('' by default); CSV quotes a field holding the delimiter, a quote, CR or LF
 * and doubles quotes; ESCAPE backslash-escapes LF, CR, the delimiter, backslash (and quotes with
 * ADDQUOTES) in character columns; ADDQUOTES wraps every field in double quotes.
 */
export function formatDelimited(row: Row, columns: ResultColumn[], o: DelimitedOptions): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += o.delimiter;
    const v = row[i];
    let field: string;
    if (v === null || v === undefined) field = o.nullAs;
    else if (o.format === 'csv') field = csvField(v, o.delimiter);
    else field = o.escape && columns[i]?.isCharacter ? escapeText(v, o.delimiter, o.addQuotes) : v;
    line += o.addQuotes ? `"${field}"` : field;
  }
  return line;
}

/** The HEADER line: column names under the same quoting rules as the data. */
export function formatHeader(columns: ResultColumn[], o: DelimitedOptions): string {
  return formatDelimited(
    columns.map((c) => c.name),
    columns.map((c) => ({ ...c, isCharacter: true })),
    o,
  );
}

/**
 * One FIXEDWIDTH line: each value left-aligned and space-padded to its width. Redshift never
 * truncates, so a longer value is an error; NULL is spaces (or the NULL AS string, which for a
 * non-character column too wide for it becomes an empty field).
 */
export function formatFixedWidth(
  row: Row,
  columns: ResultColumn[],
  spec: FixedWidthField[],
  nullAs: string | undefined,
): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    const width = (spec[i] as FixedWidthField).width;
    const col = columns[i] as ResultColumn;
    const v = row[i];
    let field: string;
    if (v === null || v === undefined) {
      if (nullAs === undefined) field = '';
      else if (nullAs.length > width) {
        if (col.isCharacter)
          throw new RedshiftSqlError(
            `NULL AS string '${nullAs}' is wider than the FIXEDWIDTH width ${width} of character column "${col.name}".`,
            '22001',
          );
        field = '';
      } else field = nullAs;
    } else {
      if ([...v].length > width)
        throw new RedshiftSqlError(
          `Value of column "${col.name}" is ${[...v].length} characters, wider than its FIXEDWIDTH width ${width}: UNLOAD never truncates; widen the spec.`,
          '22001',
        );
      field = v;
    }
    line += field + ' '.repeat(width - [...field].length);
  }
  return line;
}

const JSON_NUMBER_OIDS = new Set([20, 21, 23, 26, 700, 701, 1700]);
const JSON_RAW_OIDS = new Set([114, 3802]);

/** One JSON Lines object; numbers stay numbers, booleans are `t`/`f` and NULL is null (as documented). */
export function formatJson(row: Row, columns: ResultColumn[]): string {
  let out = '{';
  for (let i = 0; i < row.length; i++) {
    const col = columns[i] as ResultColumn;
    if (i > 0) out += ',';
    out += `${JSON.stringify(col.name)}:`;
    const v = row[i];
    if (v === null || v === undefined) out += 'null';
    else if (JSON_NUMBER_OIDS.has(col.typeOid) && /^-?[0-9]/.test(v)) out += v;
    else if (JSON_RAW_OIDS.has(col.typeOid)) out += v;
    else out += JSON.stringify(v);
  }
  return `${out}}`;
}
