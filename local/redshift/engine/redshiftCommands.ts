import { executeRedshiftCommand, isRedshiftCommand, SYSTEM_TABLES_DDL } from '../commands/index.ts';
import type { CommandContext, CommandResult } from '../commands/types.ts';

/** The Redshift-only commands (UNLOAD, COPY) as the server uses them (`local/redshift/commands/`). */
export interface RedshiftCommands {
  isRedshiftCommand(sql: string): boolean;
  executeRedshiftCommand(sql: string, ctx: CommandContext): Promise<CommandResult>;
  /** Idempotent DDL of the system tables the commands write (stl_load_errors, ...). */
  systemTablesDdl: readonly string[];
}

/**
 * The commands module. (The commands load with the server, which needs them for every
 * statement: there is nothing to gain from loading them lazily.)
 */
export async function loadRedshiftCommands(): Promise<RedshiftCommands> {
  return { isRedshiftCommand, executeRedshiftCommand, systemTablesDdl: SYSTEM_TABLES_DDL };
}
