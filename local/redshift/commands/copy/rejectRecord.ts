import type { CopyStatement } from '../parser/ast.ts';
import type { ValueConverter } from './convertValue.ts';
import type { LoadErrorRow } from './loadErrors.ts';
import type { SourceRecord } from './recordReaders.ts';
import type { TargetColumn } from './targetColumns.ts';

export type Rejection = { fields: (string | null)[] } | { error: LoadErrorRow };

/**
 * Checks one source record against the load columns (field count, FILLRECORD, every value
 * through the converter): the converted fields, or the load error Redshift records for it.
 */
export function rejectRecord(
  rec: SourceRecord,
  url: string,
  cols: TargetColumn[],
  st: CopyStatement,
  converter: ValueConverter,
  columnar: boolean,
): Rejection {
  const base = { filename: url, line: rec.line, rawLine: rec.raw };
  const err = (code: number, reason: string, col?: TargetColumn, position = 0, value = ''): Rejection => ({
    error: {
      ...base,
      colname: col?.name ?? '',
      type: col ? col.typeName.replace(/\(.*$/, '').slice(0, 10) : '',
      colLength: col?.length !== undefined ? String(col.length) : '',
      position,
      rawFieldValue: value,
      code,
      reason,
    },
  });
  if (rec.error) return err(rec.error.code, rec.error.reason);
  let fields = rec.fields;
  const textFormat = !columnar && st.format !== 'json';
  if (fields.length > cols.length) return err(1202, 'Extra column(s) found', undefined, rec.raw.length);
  if (fields.length < cols.length) {
    if (!st.fillRecord && textFormat)
      return err(1214, 'Delimiter not found', cols[fields.length], rec.raw.length);
    fields = [...fields];
    while (fields.length < cols.length) {
      const c = cols[fields.length] as TargetColumn;
      fields.push(
        textFormat && (c.kind === 'char' || c.kind === 'varchar' || c.kind === 'text') && !st.emptyAsNull
          ? ''
          : null,
      );
    }
  }
  const out: (string | null)[] = new Array(cols.length);
  let position = 0;
  for (let i = 0; i < cols.length; i++) {
    const col = cols[i] as TargetColumn;
    const raw = fields[i] ?? null;
    const r = converter.convert(raw, col, textFormat);
    if ('error' in r) return err(r.error.code, r.error.reason, col, position, raw ?? '');
    out[i] = r.value;
    position += (raw?.length ?? 0) + 1;
  }
  return { fields: out };
}
