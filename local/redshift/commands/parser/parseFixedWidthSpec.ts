import { RedshiftSqlError } from '../types.ts';
import type { FixedWidthField } from './ast.ts';

/** `'venueid:3,venuename:25'` -> fields. Labels are column names or ordinal numbers. */
export function parseFixedWidthSpec(spec: string): FixedWidthField[] {
  const fields: FixedWidthField[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*([^:\s][^:]*?)\s*:\s*([0-9]+)\s*$/.exec(part);
    if (!m)
      throw new RedshiftSqlError(
        `Invalid FIXEDWIDTH spec "${spec}": expected 'label:width[,label:width...]'`,
        '22023',
      );
    const width = Number(m[2]);
    if (width <= 0 || width > 65535)
      throw new RedshiftSqlError(
        `Invalid FIXEDWIDTH width ${m[2]} for "${m[1]}": must be between 1 and 65535`,
        '22023',
      );
    fields.push({ label: m[1] as string, width });
  }
  return fields;
}
