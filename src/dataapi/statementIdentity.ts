import { createHash } from 'node:crypto';

/**
 * `rt:<job>:<runId>:<step>`: how a run's statements are found in ListStatements and in the
 * console (StatementName allows 2048 characters; ours are far shorter).
 */
export function statementName(jobName: string, runId: string, step: string): string {
  return `rt:${jobName}:${runId}:${step}`;
}

/**
 * The Data API ClientToken for one step of one run: a retried start (Lambda retry, Step
 * Functions retry) sends the same token, and the Data API returns the statement it already
 * started instead of running it twice (tokens are kept 8 hours). 64 hex characters, the maximum.
 */
export function clientToken(runId: string, step: string): string {
  return createHash('sha256').update(`redshift-transfer\n${runId}\n${step}`).digest('hex');
}
