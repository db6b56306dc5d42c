import { type AwsClients, createClients } from '../../src/aws/clients.ts';
import { type Env, readEnv } from '../../src/config/env.ts';
import { createLogger, type Logger } from '../../src/log/logger.ts';

export interface Runtime {
  env: Env;
  clients: AwsClients;
  logger: Logger;
}

let runtime: Runtime | undefined;

/**
 * The env, SDK clients and logger of this Lambda process, made on first use and reused by every
 * invocation (module-scope singletons, as Lambda intends). Lazy so that the local runner can set
 * the endpoints in the environment before a handler first runs.
 */
export function getRuntime(): Runtime {
  if (runtime === undefined) {
    const env = readEnv();
    runtime = {
      env,
      clients: createClients(env),
      logger: createLogger(env.RT_LOG_LEVEL),
    };
  }
  return runtime;
}

/** Forgets the cached runtime (tests and the local runner, after changing the environment). */
export function resetRuntime(): void {
  runtime = undefined;
}
