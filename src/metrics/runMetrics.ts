/**
 * The metrics a run emits (CloudWatch embedded metric format, via Powertools Metrics in
 * functions/_shared/metrics.ts): one table of names, units and meaning, used by the handlers,
 * the sample alarm (deploy/) and docs/operate.md.
 */
export const METRIC_NAMESPACE = 'RedshiftTransfer';
export const METRIC_SERVICE = 'redshift-transfer';

export const runMetricDefinitions = {
  RunsSucceeded: {
    unit: 'Count',
    what: 'runs that finished their main work (export finalized, load committed)',
  },
  RunsFailed: { unit: 'Count', what: 'runs that failed (emitted by the cleanup task; metadata: errorName)' },
  Rows: { unit: 'Count', what: 'rows exported, or rows merged into the target by a load' },
  Bytes: { unit: 'Bytes', what: 'bytes written to the export destination' },
  Parts: { unit: 'Count', what: 'export parts, or source objects of a load' },
  RunSeconds: { unit: 'Seconds', what: 'export: from plan to finalize' },
  StatementSeconds: {
    unit: 'Seconds',
    what: 'a finished UNLOAD or load transaction, start to end (metadata: step)',
  },
  TaskErrors: { unit: 'Count', what: 'a task that threw (before Retry/Catch; metadata: task, errorName)' },
} as const;
export type RunMetricName = keyof typeof runMetricDefinitions;

export interface RunMetric {
  name: RunMetricName;
  value: number;
}

export interface MetricBatch {
  /** The `job` dimension; undefined where the task does not know the job (then `service` only). */
  job?: string | undefined;
  metrics: RunMetric[];
  /** Searchable in CloudWatch Logs, not dimensions: runId, step, errorName... */
  metadata?: Record<string, string>;
}

export function exportSucceeded(
  job: string,
  result: { rows: number; bytes: number; parts: number },
  seconds?: number,
): MetricBatch {
  return {
    job,
    metrics: [
      { name: 'RunsSucceeded', value: 1 },
      { name: 'Rows', value: result.rows },
      { name: 'Bytes', value: result.bytes },
      { name: 'Parts', value: result.parts },
      ...(seconds === undefined ? [] : [{ name: 'RunSeconds' as const, value: seconds }]),
    ],
  };
}

export function loadSucceeded(job: string, result: { merged: number; objects: number }): MetricBatch {
  return {
    job,
    metrics: [
      { name: 'RunsSucceeded', value: 1 },
      { name: 'Rows', value: result.merged },
      { name: 'Parts', value: result.objects },
    ],
  };
}

/** A failed run, from the state the cleanup task receives (`$.error` set by the ASL's Catch). */
export function runFailed(state: unknown): MetricBatch | undefined {
  if (state === null || typeof state !== 'object') return undefined;
  const s = state as { error?: { Error?: unknown }; jobName?: unknown; job?: { name?: unknown } };
  if (s.error === undefined || s.error === null) return undefined;
  const job =
    typeof s.jobName === 'string' ? s.jobName : typeof s.job?.name === 'string' ? s.job.name : undefined;
  return {
    job,
    metrics: [{ name: 'RunsFailed', value: 1 }],
    metadata: { errorName: typeof s.error.Error === 'string' ? s.error.Error : 'unknown' },
  };
}

/** A statement the poll task saw finish. */
export function statementFinished(
  statement: {
    done?: boolean | undefined;
    status?: string | undefined;
    startedAt: number;
    step?: string | undefined;
  },
  now: number,
): MetricBatch | undefined {
  if (statement.done !== true || statement.status !== 'FINISHED') return undefined;
  return {
    metrics: [{ name: 'StatementSeconds', value: Math.max(0, (now - statement.startedAt) / 1000) }],
    metadata: { step: statement.step ?? 'statement' },
  };
}
