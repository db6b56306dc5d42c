import type { SFNClient } from '@aws-sdk/client-sfn';
import { resetRuntime } from '../functions/_shared/runtime.ts';
import { stateMachineArn } from '../local/sfn/arns.ts';
import type { LocalStack } from '../local/stack.ts';
import { createSfnClient } from '../src/aws/clients.ts';
import { userLogLevel } from '../src/config/env.ts';
import { liveStack } from './runningStack.ts';

export interface LocalSfnTarget {
  client: SFNClient;
  region: string;
  /** The local ARN of `statemachines/<kind>.asl.yml`. */
  stateMachineArn(kind: string): string;
  /** The stack this process started, if it started one. */
  stack?: LocalStack;
  stop(): Promise<void>;
}

export interface OpenLocalOptions {
  /** Wait-state scale when this process starts the stack (default 0.1). */
  waitScale?: number;
  /** Data directory when this process starts the stack (default .local). */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * The local Step Functions to run against: the one RT_ENDPOINT_SFN points at, the running
 * `local start` on .local/ (its endpoints file), or a local stack started here and stopped by
 * `stop()`. A stack started here never outlives this process: its servers run under watchdogs that
 * stop them when it dies, even by SIGKILL (local/process/spawnService.ts); its in-process servers
 * die with it.
 */
export async function openLocalSfn(options: OpenLocalOptions = {}): Promise<LocalSfnTarget> {
  const env = options.env ?? process.env;
  const region = env.AWS_REGION ?? 'us-east-1';
  if (env.RT_ENDPOINT_SFN) {
    const client = createSfnClient({ region, endpoint: env.RT_ENDPOINT_SFN });
    return {
      client,
      region,
      stateMachineArn: (kind) => stateMachineArn(region, kind),
      stop: async () => client.destroy(),
    };
  }
  // A running `local start` on the default data directory keeps the executions for `runs --local`
  // and its console. With an explicit dataDir this process starts its own stack there (refused
  // while a live one holds it: local/postgres/startPostgres.ts).
  const running = options.dataDir === undefined ? await liveStack(undefined) : undefined;
  if (running?.sfn !== undefined) {
    const client = createSfnClient({ region: running.region, endpoint: running.sfn });
    options.log?.(`using the local stack running from ${running.dataDir ?? 'its data directory'}`);
    return {
      client,
      region: running.region,
      stateMachineArn: (kind) => stateMachineArn(running.region, kind),
      stop: async () => client.destroy(),
    };
  }
  // Loaded lazily: `validate` and AWS runs never pay for the local stack.
  const { startLocalStack } = await import('../local/stack.ts');
  options.log?.('starting the local stack (PostgreSQL, S3, Redshift Data API, EMR, Step Functions)...');
  const logLevel = userLogLevel(env);
  const stack = await startLocalStack({
    region,
    onEnvChange: resetRuntime,
    waitScale: options.waitScale ?? 0.1,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(logLevel === undefined ? {} : { logLevel }),
  });
  const client = createSfnClient({ region, endpoint: stack.sfn.endpoint });
  return {
    client,
    region,
    stack,
    stateMachineArn: (kind) => stateMachineArn(region, kind),
    stop: async () => {
      client.destroy();
      await stack.stop();
    },
  };
}
