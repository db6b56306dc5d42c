import { lowerDecimalArithmetic } from '../sql/lowerDecimalArithmetic.ts';
import { joinTokens, tokenize } from '../sql/tokenize.ts';
import { translateRedshiftSql } from '../sql/translateRedshiftSql.ts';
import { probeOperands } from '../statements/probeOperands.ts';
import { parseRedshiftCommand } from './parser/parseRedshiftCommand.ts';
import type { CommandContext, CommandResult } from './types.ts';

export { isRedshiftCommand } from './isRedshiftCommand.ts';
export type { CopyStatement, RedshiftCommand, UnloadStatement } from './parser/ast.ts';
export { parseRedshiftCommand } from './parser/parseRedshiftCommand.ts';
export { SYSTEM_TABLES_DDL } from './systemTables.ts';
export type { CommandContext, CommandResult } from './types.ts';
export { RedshiftSqlError } from './types.ts';

/**
 * Runs one UNLOAD or COPY statement (as accepted by `isRedshiftCommand`) against the session in
 * `ctx`. Throws RedshiftSqlError with Redshift's wording on failure. The executors load lazily:
 * a server that never sees UNLOAD/COPY never loads the Parquet codec.
 */
export async function executeRedshiftCommand(sql: string, ctx: CommandContext): Promise<CommandResult> {
  const statement = parseRedshiftCommand(sql);
  if (statement.kind === 'unload') {
    const { executeUnload } = await import('./unload/executeUnload.ts');
    // UNLOAD's query is Redshift SQL: the same translation as every other statement.
    const translated = await translateRedshiftSql(tokenize(statement.query));
    // DECIMAL arithmetic is written with Redshift's scale, as the Data API returns it.
    const query = await lowerDecimalArithmetic(joinTokens(translated.tokens), (sql) =>
      probeOperands(ctx.client, sql),
    );
    return executeUnload({ ...statement, query }, ctx);
  }
  const { executeCopy } = await import('./copy/executeCopy.ts');
  return executeCopy(statement, ctx);
}
