import { Logger } from '@aws-lambda-powertools/logger';
import type { Env } from '../config/env.ts';

export type { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per process, at the level read once from the environment
 * (`readEnv().RT_LOG_LEVEL`). Handlers add the run id as a persistent key so every line of a run
 * can be found; never log credentials or SQL parameter values.
 */
export function createLogger(logLevel: Env['RT_LOG_LEVEL'], serviceName = 'redshift-transfer'): Logger {
  return new Logger({ serviceName, logLevel });
}
