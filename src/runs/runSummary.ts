import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';

/** One run as `runs` and the local console list it: what an execution moved and how it ended, read from DescribeExecution. */
export interface RunRow {
  name: string;
  executionArn: string;
  /** export, load or transfer (the state machine's kind). */
  kind: string;
  job?: string | undefined;
  status: string;
  start?: Date | undefined;
  stop?: Date | undefined;
  rows?: number | undefined;
  bytes?: number | undefined;
  parts?: number | undefined;
  /** The named error (`RowCountMismatchError`...) of a failed run. */
  error?: string | undefined;
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The job name an execution was started with (`input.job.name`, or `jobName` for scheduled starts). */
export function jobOf(input: string | undefined): string | undefined {
  const value = parse(input);
  const job = value?.job;
  if (job !== null && typeof job === 'object' && typeof (job as { name?: unknown }).name === 'string')
    return (job as { name: string }).name;
  return typeof value?.jobName === 'string' ? value.jobName : undefined;
}

/**
 * The run's figures from its output's `result`: an export's `{ rows, bytes, parts }`, or a
 * load's report (`merged` rows, `objects` as parts; a load reports no bytes).
 */
export function runRow(kind: string, d: DescribeExecutionCommandOutput): RunRow {
  const result = parse(d.output)?.result as Record<string, unknown> | undefined;
  const isLoad = result !== undefined && 'merged' in result;
  return {
    name: d.name ?? '',
    executionArn: d.executionArn ?? '',
    kind,
    job: jobOf(d.input),
    status: d.status ?? 'UNKNOWN',
    start: d.startDate,
    stop: d.stopDate,
    rows: num(isLoad ? result.merged : result?.rows),
    bytes: num(result?.bytes),
    parts: num(isLoad ? result.objects : result?.parts),
    error: d.error,
  };
}
