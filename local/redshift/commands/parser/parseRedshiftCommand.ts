import type { RedshiftCommand } from './ast.ts';
import { Cursor } from './cursor.ts';
import { parseCopy } from './parseCopy.ts';
import { parseUnload } from './parseUnload.ts';
import { tokenize } from './tokenize.ts';

/**
 * Parses one UNLOAD or COPY statement into its syntax tree. Pure; throws RedshiftSqlError with
 * Redshift's wording (`syntax error at or near "x"`, `X is not compatible with Y.`) on bad input.
 */
export function parseRedshiftCommand(sql: string): RedshiftCommand {
  const cur = new Cursor(sql, tokenize(sql));
  const kw = cur.expectWord('UNLOAD', 'COPY');
  return kw === 'UNLOAD' ? parseUnload(cur) : parseCopy(cur);
}
