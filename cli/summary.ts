import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { formatLoadReport, type LoadOutput } from '../src/load/loadReport.ts';
import { formatBytes, formatDuration, type Progress, stageTimings } from './progress.ts';

/** The final report of a run: what moved, where it is, how long each stage took, or why it failed. */
export function formatSummary(
  description: DescribeExecutionCommandOutput,
  history: readonly HistoryEvent[],
  progress: Progress,
): string {
  const started = description.startDate?.getTime() ?? 0;
  const stopped = description.stopDate?.getTime() ?? started;
  const lines = [`${description.status} ${description.name ?? ''} in ${formatDuration(stopped - started)}`];
  const result = resultOf(description.output);
  const load = loadOutputOf(description.output);
  if (description.status === 'SUCCEEDED' && load !== undefined) {
    lines.push(...formatLoadReport(load));
  } else if (description.status === 'SUCCEEDED') {
    const rows = result?.rows ?? progress.rows;
    const bytes = result?.bytes ?? progress.bytes;
    const seconds = (stopped - started) / 1000;
    lines.push(`  rows     ${rows.toLocaleString('en-US')}`);
    if (result?.parts !== undefined || progress.partsDone > 0)
      lines.push(`  parts    ${result?.parts ?? progress.partsDone}`);
    if (bytes > 0)
      lines.push(
        `  bytes    ${formatBytes(bytes)}${seconds > 0 ? ` (${formatBytes(bytes / seconds)}/s overall)` : ''}`,
      );
    if (result?.destination) lines.push(`  output   ${result.destination}`);
    if (result?.manifestUri) lines.push(`  manifest ${result.manifestUri}`);
  } else {
    lines.push(`  error    ${description.error ?? '(none)'}`);
    if (description.cause) lines.push(`  cause    ${description.cause.split('\n').join('\n           ')}`);
  }
  const timings = stageTimings(history);
  if (timings.length > 0) {
    lines.push('  stages');
    for (const t of timings) {
      lines.push(
        `    ${t.state.padEnd(26)} ${formatDuration(t.millis).padStart(8)}${t.entries > 1 ? `  (${t.entries}x)` : ''}`,
      );
    }
  }
  lines.push(`  execution ${description.executionArn ?? ''}`);
  return `${lines.join('\n')}\n`;
}

interface RunResult {
  rows?: number;
  parts?: number;
  bytes?: number;
  destination?: string;
  manifestUri?: string;
}

/** The main work's summary: `$.result` of the execution output (`{ manifestUri, destination, rows, parts, bytes }`). */
function resultOf(output: string | undefined): RunResult | undefined {
  if (output === undefined) return undefined;
  try {
    const parsed = JSON.parse(output) as { result?: RunResult };
    return parsed.result !== null && typeof parsed.result === 'object' ? parsed.result : undefined;
  } catch {
    return undefined;
  }
}

/** A load's output (its `$.result` has the load's counts, or says there was nothing to do). */
function loadOutputOf(output: string | undefined): LoadOutput | undefined {
  if (output === undefined) return undefined;
  try {
    const parsed = JSON.parse(output) as LoadOutput;
    const r = parsed.result;
    if (r === null || typeof r !== 'object') return undefined;
    return r.nothingToDo === true || (typeof r.mode === 'string' && typeof r.table === 'string')
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}
