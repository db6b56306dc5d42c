import { forTerminal } from './terminalText.ts';

/**
 * `redshift-transfer <command>`: parses nothing itself; each command module owns its flags and
 * returns an exit code. Command modules load lazily so `validate` does not pay for the stack.
 */
const commands: Record<
  string,
  { describe: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }
> = {
  local: {
    describe: 'local start|seed: the embedded local stack',
    load: () => import('./commands/local.ts'),
  },
  run: {
    describe: 'run <job> [--local | --stage <s>]: start a run and follow it',
    load: () => import('./commands/run.ts'),
  },
  sql: {
    describe: 'sql [--local | --job <job> | --cluster-identifier ...] <sql>: run SQL through the Data API',
    load: () => import('./commands/sql.ts'),
  },
  runs: {
    describe: 'runs [job] | runs show <execution>: recent executions and their reports',
    load: () => import('./commands/runs.ts'),
  },
  validate: {
    describe: 'validate <job>: check a job document offline',
    load: () => import('./commands/validate.ts'),
  },
  demo: {
    describe: 'start the local stack, seed it, run the example export, stop',
    load: () => import('./commands/demo.ts'),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.describe}`);
  return `usage: redshift-transfer <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`unknown command "${forTerminal(name)}"\n\n${usage()}`);
    return 2;
  }
  try {
    const module = await command.load();
    return await module.run(rest);
  } catch (error) {
    const e = error as Error;
    process.stderr.write(forTerminal(`redshift-transfer ${name}: ${e.name}: ${e.message}\n`));
    return 1;
  }
}
