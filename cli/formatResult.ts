import type { Cell } from '../src/dataapi/dataApi.ts';
import type { ResultTable } from '../src/dataapi/runStatements.ts';

export const resultFormats = ['table', 'csv', 'json'] as const;
export type ResultFormat = (typeof resultFormats)[number];

function text(cell: Cell): string {
  return cell === null ? 'NULL' : String(cell);
}

/**
 * psql-like aligned table: numbers right-aligned, NULL shown as `NULL`, a rule under the header.
 * Line breaks inside a value are shown as `\n` so one row stays one line.
 */
export function formatTable({ columns, rows }: ResultTable): string {
  const cells = rows.map((row) => columns.map((_, i) => text(row[i] ?? null).replace(/\r?\n/g, '\\n')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = columns.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof (r[i] ?? 0) === 'number' || r[i] === null),
  );
  const line = (values: string[], header: boolean) =>
    values
      .map((v, i) => {
        const w = widths[i] ?? 0;
        return !header && numeric[i] ? v.padStart(w) : v.padEnd(w);
      })
      .join(' | ')
      .trimEnd();
  return [
    line(columns, true),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...cells.map((r) => line(r, false)),
  ]
    .map((l) => `${l}\n`)
    .join('');
}

/** RFC 4180 CSV with a header; NULL is an empty field, as UNLOAD writes it by default. */
export function formatCsv({ columns, rows }: ResultTable): string {
  const field = (cell: Cell) => {
    if (cell === null) return '';
    const s = String(cell);
    return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns, ...rows].map((r) => `${r.map((c) => field(c)).join(',')}\n`).join('');
}

/** One JSON object per row (JSON Lines), keyed by column name. */
export function formatJsonLines({ columns, rows }: ResultTable): string {
  return rows
    .map((r) => `${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, r[i] ?? null])))}\n`)
    .join('');
}

export function formatResult(result: ResultTable, format: ResultFormat): string {
  if (format === 'csv') return formatCsv(result);
  if (format === 'json') return formatJsonLines(result);
  return formatTable(result);
}

/**
 * Redshift's error text with the statement line it points at: Redshift reports a 1-based
 * character `Position: N` in the message; we show that line with a caret under the character.
 */
export function explainSqlError(sql: string, error: string): string {
  const match = /\bPosition:\s*(\d+)/i.exec(error);
  if (match === null) return error;
  const position = Number(match[1]) - 1;
  if (!(position >= 0 && position <= sql.length)) return error;
  const lineStart = sql.lastIndexOf('\n', position - 1) + 1;
  const lineEnd = sql.indexOf('\n', position);
  const lineNumber = sql.slice(0, lineStart).split('\n').length;
  const line = sql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const prefix = `LINE ${lineNumber}: `;
  return `${error}\n${prefix}${line}\n${' '.repeat(prefix.length + position - lineStart)}^`;
}
