import { sqlString } from './identifiers.ts';

/**
 * The first statement of every BatchExecuteStatement a run sends: the session's query_group, so
 * each statement of the batch carries the run's label (`rt:<job>:<runId>:<step>`) as
 * `query_label` in SYS_QUERY_HISTORY. A single ExecuteStatement cannot carry it (one statement).
 */
export function setQueryGroup(label: string): string {
  return `SET query_group TO ${sqlString(label)}`;
}
