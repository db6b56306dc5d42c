import { Logger } from '@aws-lambda-powertools/logger';

export type { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per process. Handlers add the run id as a persistent key so every
 * line of a run can be found; never log credentials or SQL parameter values.
 */
export function createLogger(serviceName = 'redshift-transfer', logLevel?: string): Logger {
  return new Logger({
    serviceName,
    logLevel: (logLevel ?? process.env.RT_LOG_LEVEL ?? 'INFO') as 'INFO',
  });
}
