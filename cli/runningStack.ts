import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { type Console, startConsole } from '../local/console/startConsole.ts';
import { DEFAULT_CLUSTER, DEFAULT_DATA_DIR, type LocalEndpoints, type LocalStack } from '../local/stack.ts';

/** What `local start` leaves in its data directory so that `local seed`, `sql --local`, `runs --local` (and users) find it. */
export const STACK_FILE = 'stack.json';

/** The endpoints file of a running `local start`, as written by it (see cli/commands/local.ts). */
export interface RunningStack extends LocalEndpoints {
  database?: string;
  clusterIdentifier?: string;
  buckets?: string[];
  stateBucket?: string;
  console?: string;
  dataDir?: string;
}

export function stackFile(dataDir: string | undefined): string {
  return join(resolve(dataDir ?? DEFAULT_DATA_DIR), STACK_FILE);
}

/** The running stack's endpoints file, or undefined when there is none. */
export async function runningStack(dataDir: string | undefined): Promise<RunningStack | undefined> {
  try {
    return JSON.parse(await readFile(stackFile(dataDir), 'utf8')) as RunningStack;
  } catch {
    return undefined;
  }
}

/** The endpoints file's contents for a started stack (what `local start` prints and writes). */
export function runningStackOf(stack: LocalStack): RunningStack {
  return {
    ...stack.endpoints,
    database: stack.database,
    clusterIdentifier: DEFAULT_CLUSTER,
    buckets: [...stack.buckets],
    stateBucket: stack.stateBucket,
    dataDir: stack.dataDir,
  };
}

/**
 * True when a server listens at `endpoint`. On loopback the kernel answers a connect at once
 * (accepted or refused) however loaded the machine is, where an HTTP answer waits for the server to
 * be scheduled: a time limit on that takes a busy live stack for a dead one. The limit
 * left is for a remote host that drops packets.
 */
export function answers(endpoint: string): Promise<boolean> {
  const url = new URL(endpoint);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
    socket.setTimeout(30_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The running stack's endpoints when its file exists and its Step Functions answers (not a stale file). */
export async function liveStack(dataDir: string | undefined): Promise<RunningStack | undefined> {
  const stack = await runningStack(dataDir);
  return stack?.sfn !== undefined && (await answers(stack.sfn)) ? stack : undefined;
}

/** The local console over a started stack's own APIs (Step Functions, S3, Data API). */
export function startStackConsole(stack: LocalStack): Promise<Console> {
  const { region, sfn, s3, redshiftData } = stack.endpoints;
  if (sfn === undefined) throw new Error('the local stack has no Step Functions endpoint');
  return startConsole({
    region,
    endpoints: { sfn, s3, redshiftData },
    clusterIdentifier: DEFAULT_CLUSTER,
    database: stack.database,
  });
}
