import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../src/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `parseArgs` with positionals for one CLI command: an unknown or malformed flag becomes a
 * ConfigError followed by the command's usage, so every command reports it the same way.
 */
export function parseCommandArgs<const O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${usage}`);
  }
}
