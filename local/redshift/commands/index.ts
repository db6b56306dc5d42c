import type { CommandContext, CommandResult } from './types.ts';
import { RedshiftSqlError } from './types.ts';

export { isRedshiftCommand } from './isRedshiftCommand.ts';
export { SYSTEM_TABLES_DDL } from './systemTables.ts';
export type { CommandContext, CommandResult } from './types.ts';
export { RedshiftSqlError } from './types.ts';

/**
 * Runs one UNLOAD or COPY statement (as accepted by `isRedshiftCommand`) against the session in
 * `ctx`. Throws RedshiftSqlError with Redshift's wording on failure.
 */
export async function executeRedshiftCommand(_sql: string, _ctx: CommandContext): Promise<CommandResult> {
  // First cut of the contract; the parser and executors land in the next commits.
  throw new RedshiftSqlError('UNLOAD and COPY are not available in this build of the emulator yet.');
}
