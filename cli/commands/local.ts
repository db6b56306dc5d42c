import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resetRuntime } from '../../functions/_shared/runtime.ts';
import { DEFAULT_SCALE, seedTickit } from '../../local/seed/seedTickit.ts';
import { DEFAULT_DATA_DIR, DEFAULT_DATABASE, type Engine, startLocalStack } from '../../local/stack.ts';
import { userLogLevel } from '../../src/config/env.ts';
import { ConfigError } from '../../src/errors.ts';
import { answers, runningStack, runningStackOf, stackFile, startStackConsole } from '../runningStack.ts';

const USAGE = `usage:
  redshift-transfer local start [--engine postgres|url] [--database-url URL] [--data-dir DIR] [--slices N] [--log-requests] [--no-console]
      Starts PostgreSQL, S3 and the Redshift Data API on loopback, prints one JSON line with the
      endpoints (and the local console's URL: executions, buckets, SQL), and runs until Ctrl-C
      (SIGINT) or SIGTERM.
  redshift-transfer local seed [--scale N] [--database dev] [--endpoint URL] [--data-dir DIR]
      Loads the TICKIT sample (scale ${DEFAULT_SCALE} = 1,000,000 sales) through the running stack's Data API.
`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'start':
      return start(rest);
    case 'seed':
      return seed(rest);
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(
        `${sub === undefined ? 'missing' : `unknown`} subcommand${sub ? ` "${sub}"` : ''}\n${USAGE}`,
      );
      return 2;
  }
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${USAGE}`);
  }
}

function positiveNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(`${flag} must be a positive number (got "${value}")`);
  return n;
}

async function start(argv: string[]): Promise<number> {
  const v = parse(argv, {
    engine: { type: 'string' },
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    slices: { type: 'string' },
    'log-requests': { type: 'boolean' },
    'no-console': { type: 'boolean' },
  });
  const engine = (v.engine ?? 'postgres') as Engine;
  if (engine !== 'postgres' && engine !== 'url') {
    throw new ConfigError(`--engine must be "postgres" or "url" (got "${v.engine}")`);
  }
  if (engine === 'url' && !v['database-url']) {
    throw new ConfigError('--engine url needs --database-url postgres://user@host:port/db');
  }
  const slices = positiveNumber(v.slices, '--slices', 4);
  if (!Number.isInteger(slices)) throw new ConfigError(`--slices must be a whole number (got "${v.slices}")`);
  const dataDir = resolve(v['data-dir'] ?? DEFAULT_DATA_DIR);

  const previous = await runningStack(dataDir);
  if (previous?.redshiftData && (await answers(previous.redshiftData))) {
    throw new ConfigError(
      `A local stack already runs from ${dataDir} (Data API at ${previous.redshiftData}). Stop it first (Ctrl-C in its terminal) or pass another --data-dir.`,
    );
  }

  // Listen before starting: a signal during start-up stops the stack once it is up, instead of
  // killing this process and orphaning the servers it started.
  let received: NodeJS.Signals | undefined;
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const handler = (signal: NodeJS.Signals) => {
    received ??= signal;
    onSignal?.(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    const logLevel = userLogLevel();
    const stack = await startLocalStack({
      onEnvChange: resetRuntime,
      engine,
      dataDir,
      slices,
      ...(logLevel === undefined ? {} : { logLevel }),
      ...(v['database-url'] ? { databaseUrl: v['database-url'] } : {}),
      ...(v['log-requests'] ? { onRedshiftDataRequest: logRequest } : {}),
    });
    // The console (local/console): executions, buckets and a SQL box, on loopback.
    const webConsole = v['no-console']
      ? undefined
      : await startStackConsole(stack).catch(async (error: unknown) => {
          await stack.stop();
          throw error;
        });
    const ready = { ...runningStackOf(stack), engine, ...(webConsole ? { console: webConsole.url } : {}) };
    if (received === undefined) {
      await writeFile(stackFile(dataDir), `${JSON.stringify(ready, null, 2)}\n`);
      process.stdout.write(`${JSON.stringify(ready)}\n`);
    }
    const signal =
      received ??
      (await new Promise<NodeJS.Signals>((resolveSignal) => {
        onSignal = resolveSignal;
      }));
    process.stderr.write(`${signal}: stopping the local stack\n`);
    await webConsole?.stop();
    await stack.stop();
    await rm(stackFile(dataDir), { force: true });
    return 0;
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}

/** One stderr line per Data API request (`--log-requests`): operation, status, time, error. */
function logRequest(entry: { operation: string; status: number; ms: number; error?: string }) {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: 'redshift-data', ...entry, ms: Math.round(entry.ms * 10) / 10 })}\n`,
  );
}

async function seed(argv: string[]): Promise<number> {
  const v = parse(argv, {
    scale: { type: 'string' },
    database: { type: 'string' },
    endpoint: { type: 'string' },
    'data-dir': { type: 'string' },
  });
  const scale = positiveNumber(v.scale, '--scale', DEFAULT_SCALE);
  const endpoint =
    v.endpoint || process.env.RT_ENDPOINT_REDSHIFT_DATA || (await runningStack(v['data-dir']))?.redshiftData;
  if (!endpoint) {
    throw new ConfigError(
      'No running local stack found: start it first (redshift-transfer local start), or pass --endpoint http://127.0.0.1:PORT (or set RT_ENDPOINT_REDSHIFT_DATA).',
    );
  }
  if (!(await answers(endpoint))) {
    throw new ConfigError(
      `The Data API at ${endpoint} does not answer: is the local stack running? Start it with: redshift-transfer local start`,
    );
  }
  const result = await seedTickit(endpoint, { scale, database: v.database ?? DEFAULT_DATABASE });
  process.stdout.write(
    `${JSON.stringify({ database: result.database, rows: result.sizes, seconds: Math.round(result.ms) / 1000 })}\n`,
  );
  return 0;
}
