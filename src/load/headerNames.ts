import type { CsvField } from '../csv/csvScanner.ts';
import { SchemaMismatchError } from '../errors.ts';
import type { TargetColumn } from './targetColumns.ts';

/**
 * A header name as a column name: lower case, every run of spaces or punctuation one `_`, none at
 * either end ("Airport Name" -> airport_name, "Cost Total $" -> cost_total).
 */
export function normalizeHeaderName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * The table column each header field names, in header order: `columnMap` first (the name as
 * written), then the name itself case-insensitively, then its normalised form. A name that fits
 * no column, or two fields naming one column, is a SchemaMismatchError naming the file and field.
 */
export function headerColumns(
  header: readonly string[],
  tableColumns: readonly TargetColumn[],
  columnMap: Readonly<Record<string, string>> | undefined,
  where: string,
  /** False: a name that fits no column is returned as written (the caller reports it). */
  strict = true,
): string[] {
  const byLower = new Map(tableColumns.map((c) => [c.name.toLowerCase(), c.name]));
  const byNormal = new Map(tableColumns.map((c) => [normalizeHeaderName(c.name), c.name]));
  const unknown: string[] = [];
  const names = header.map((raw) => {
    const name = raw.trim();
    const mapped = columnMap?.[name] ?? columnMap?.[raw];
    const column =
      mapped !== undefined
        ? byLower.get(mapped.toLowerCase())
        : (byLower.get(name.toLowerCase()) ?? byNormal.get(normalizeHeaderName(name)));
    if (column === undefined)
      unknown.push(mapped === undefined ? `"${name}"` : `"${name}" (columnMap: "${mapped}")`);
    return column ?? name;
  });
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (strict && (unknown.length > 0 || twice.length > 0)) {
    const problems = [
      unknown.length > 0 ? `field(s) ${unknown.join(', ')} match no column of the table` : '',
      twice.length > 0 ? `column(s) named twice ${[...new Set(twice)].map((n) => `"${n}"`).join(', ')}` : '',
    ].filter((p) => p !== '');
    throw new SchemaMismatchError(
      `${where} does not fit the table (${tableColumns.map((c) => c.name).join(', ')}): ${problems.join('; ')}. Header names match columns case-insensitively after spaces and punctuation become "_"; map the others with "columnMap" ({"Header Name": "column"}) or name the fields in order with "columns".`,
      { context: { where, unknown, twice } },
    );
  }
  return names;
}

/**
 * The file's header checked against the run's column order: every name must name a column of
 * the table (as headerColumns matches them: columnMap, case-insensitive, normalised) and the set
 * must be the run's (the first file's header). Returns, for each run column, the index of the
 * file field that holds it.
 */
export function headerOrder(
  header: readonly CsvField[],
  fileColumns: readonly string[],
  label: string,
  tableColumns: readonly TargetColumn[],
  columnMap?: Readonly<Record<string, string>>,
  line = 1,
): number[] {
  const where = `The header of ${label} (line ${line})`;
  const names = headerColumns(
    header.map((f) => f.value),
    tableColumns,
    columnMap,
    where,
    false,
  ).map((n) => n.toLowerCase());
  const wanted = fileColumns.map((c) => c.toLowerCase());
  const unknown = names.filter((n) => !wanted.includes(n));
  const missing = wanted.filter((n) => !names.includes(n));
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (unknown.length > 0 || missing.length > 0 || twice.length > 0) {
    const problems = [
      unknown.length > 0 ? `unexpected column(s) ${unknown.map((n) => `"${n}"`).join(', ')}` : '',
      missing.length > 0 ? `missing column(s) ${missing.map((n) => `"${n}"`).join(', ')}` : '',
      twice.length > 0 ? `column(s) named twice ${twice.map((n) => `"${n}"`).join(', ')}` : '',
    ].filter((p) => p !== '');
    throw new SchemaMismatchError(
      `${where} does not match the load's columns (${fileColumns.join(', ')}): ${problems.join('; ')}. Fix the file's header, or "columns" in the job.`,
      { context: { file: label, line, unknown, missing } },
    );
  }
  return wanted.map((n) => names.indexOf(n));
}
