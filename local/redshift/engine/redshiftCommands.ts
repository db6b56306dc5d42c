import type { CommandContext, CommandResult } from '../commands/types.ts';

/** The Redshift-only commands (UNLOAD, COPY) module, as `local/redshift/commands/index.ts` exports it. */
export interface RedshiftCommands {
  isRedshiftCommand(sql: string): boolean;
  executeRedshiftCommand(sql: string, ctx: CommandContext): Promise<CommandResult>;
  /** Idempotent DDL of the system tables the commands write (stl_load_errors, ...). */
  systemTablesDdl: readonly string[];
}

const none: RedshiftCommands = {
  isRedshiftCommand: () => false,
  executeRedshiftCommand: async () => {
    throw new Error('Redshift commands are not available in this build');
  },
  systemTablesDdl: [],
};

let loaded: Promise<RedshiftCommands> | undefined;

/** True when `path` itself is missing (not a module it imports). */
function isMissingModule(error: unknown, path: string): boolean {
  const { code, message } = error as { code?: string; message?: string };
  const file = path.split('/').pop() as string;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(message).includes(file);
}

/**
 * Loads the commands module once. The two modules are built side by side; until a module exists
 * the server runs plain SQL only (UNLOAD/COPY then fail as PostgreSQL syntax errors). The paths
 * are variables so that the type checker does not require the files to exist.
 */
export function loadRedshiftCommands(): Promise<RedshiftCommands> {
  loaded ??= (async () => {
    const indexPath = '../commands/index.ts';
    const tablesPath = '../commands/systemTables.ts';
    let commands: RedshiftCommands = none;
    try {
      const mod = (await import(indexPath)) as Partial<RedshiftCommands>;
      if (typeof mod.isRedshiftCommand === 'function' && typeof mod.executeRedshiftCommand === 'function') {
        commands = {
          isRedshiftCommand: mod.isRedshiftCommand,
          executeRedshiftCommand: mod.executeRedshiftCommand,
          systemTablesDdl: [],
        };
      }
    } catch (error) {
      if (!isMissingModule(error, indexPath)) throw error;
    }
    try {
      const mod = (await import(tablesPath)) as { SYSTEM_TABLES_DDL?: string[] };
      if (Array.isArray(mod.SYSTEM_TABLES_DDL))
        commands = { ...commands, systemTablesDdl: mod.SYSTEM_TABLES_DDL };
    } catch (error) {
      if (!isMissingModule(error, tablesPath)) throw error;
    }
    return commands;
  })();
  return loaded;
}
