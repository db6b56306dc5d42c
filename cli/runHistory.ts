import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { formatBytes, formatDuration } from './progress.ts';

/** One line of `runs`: what an execution moved and how it ended, read from DescribeExecution. */
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

/** The `runs` table: newest first, one line per execution, `-` where a figure is unknown. */
export function formatRuns(rows: readonly RunRow[], now: Date): string {
  const header = [
    'STATUS',
    'START (UTC)',
    'DURATION',
    'KIND',
    'JOB',
    'ROWS',
    'BYTES',
    'PARTS',
    'ERROR',
    'EXECUTION',
  ];
  const cells = rows.map((r) => [
    r.status,
    r.start ? r.start.toISOString().replace('T', ' ').slice(0, 19) : '-',
    r.start ? formatDuration((r.stop ?? now).getTime() - r.start.getTime()) : '-',
    r.kind,
    r.job ?? '-',
    r.rows === undefined ? '-' : r.rows.toLocaleString('en-US'),
    r.bytes === undefined ? '-' : formatBytes(r.bytes),
    r.parts === undefined ? '-' : String(r.parts),
    r.error ?? '',
    r.name,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const right = new Set([2, 5, 6, 7]);
  const line = (values: string[]) =>
    values
      .map((v, i) => (right.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[header, ...cells].map(line).join('\n')}\n`;
}
