import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** What a run looks like so far, read from its history (and its map run, if any). */
export interface Progress {
  /** The state most recently entered (outside Map iterations). */
  state?: string;
  partsDone: number;
  partsTotal?: number;
  rows: number;
  bytes: number;
  startedAt?: Date;
  /** When the first part started processing: the base for the MB/s figure. */
  processingSince?: Date;
  at?: Date;
}

export const emptyProgress = (): Progress => ({ partsDone: 0, rows: 0, bytes: 0 });

/** Map run item counts (DescribeMapRun) for runs whose parts are in a Distributed Map. */
export interface MapRunCounts {
  succeeded: number;
  total: number;
}

/**
 * Folds history events into the progress (call it with each new page). Parts and rows come from
 * task outputs shaped like the export's ProcessParts result (`{ parts: [{ rows, bytesOut }] }`)
 * and from the final `{ rows, parts, bytes }` summary; the rest is generic.
 */
export function foldProgress(progress: Progress, events: readonly HistoryEvent[]): Progress {
  const next = { ...progress };
  for (const event of events) {
    next.at = event.timestamp ?? next.at;
    if (event.type === 'ExecutionStarted') next.startedAt = event.timestamp;
    const entered = event.stateEnteredEventDetails?.name;
    if (entered !== undefined && event.type?.endsWith('StateEntered')) next.state = entered;
    if (event.type === 'MapStateStarted' && event.mapStateStartedEventDetails?.length !== undefined) {
      next.partsTotal = event.mapStateStartedEventDetails.length;
      next.processingSince ??= event.timestamp;
    }
    const output = event.lambdaFunctionSucceededEventDetails?.output;
    if (output !== undefined) {
      const parts = partsOf(output);
      if (parts !== undefined) {
        next.processingSince ??= event.timestamp;
        next.partsDone += parts.length;
        for (const part of parts) {
          next.rows += numberOr(part.rows, 0);
          next.bytes += numberOr(part.bytesOut, numberOr(part.bytes, 0));
        }
      }
      const summary = summaryOf(output);
      if (summary !== undefined) {
        next.rows = summary.rows;
        next.bytes = summary.bytes;
        next.partsDone = summary.parts;
        next.partsTotal = summary.parts;
      }
    }
  }
  return next;
}

/** Takes a Distributed Map's counters into account (its children's outputs are not in the history). */
export function withMapRun(progress: Progress, counts: MapRunCounts | undefined): Progress {
  if (counts === undefined) return progress;
  return { ...progress, partsDone: Math.max(progress.partsDone, counts.succeeded), partsTotal: counts.total };
}

/** `ProcessPartsInline · parts 3/8 · 1,234,567 rows · 42.1 MB · 85.3 MB/s` */
export function formatProgress(progress: Progress): string {
  const fields = [progress.state ?? 'starting'];
  if (progress.partsTotal !== undefined || progress.partsDone > 0) {
    fields.push(`parts ${progress.partsDone}/${progress.partsTotal ?? '?'}`);
  }
  if (progress.rows > 0) fields.push(`${progress.rows.toLocaleString('en-US')} rows`);
  if (progress.bytes > 0) {
    fields.push(formatBytes(progress.bytes));
    const seconds = seconds_(progress.processingSince, progress.at);
    if (seconds > 0) fields.push(`${formatBytes(progress.bytes / seconds)}/s`);
  }
  return fields.join(' · ');
}

export interface StageTiming {
  state: string;
  millis: number;
  entries: number;
}

/**
 * Time spent in each top-level state, in order of first entry; polling loops show as one line
 * per state with the number of entries. States inside inline Map iterations count in their Map.
 */
export function stageTimings(events: readonly HistoryEvent[]): StageTiming[] {
  const timings = new Map<string, StageTiming>();
  const open = new Map<string, number>();
  let mapDepth = 0;
  for (const event of events) {
    const type = event.type ?? '';
    const time = event.timestamp?.getTime() ?? 0;
    if (type === 'MapIterationStarted') mapDepth++;
    if (type === 'MapIterationSucceeded' || type === 'MapIterationFailed' || type === 'MapIterationAborted') {
      mapDepth = Math.max(0, mapDepth - 1);
    }
    if (mapDepth > 0) continue;
    if (type.endsWith('StateEntered')) {
      const name = event.stateEnteredEventDetails?.name ?? '?';
      open.set(name, time);
      const timing = timings.get(name) ?? { state: name, millis: 0, entries: 0 };
      timing.entries++;
      timings.set(name, timing);
    } else if (type.endsWith('StateExited')) {
      const name = event.stateExitedEventDetails?.name ?? '?';
      const start = open.get(name);
      const timing = timings.get(name);
      if (start !== undefined && timing !== undefined) timing.millis += time - start;
      open.delete(name);
    }
  }
  return [...timings.values()];
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

export function formatDuration(millis: number): string {
  if (millis >= 60_000)
    return `${Math.floor(millis / 60_000)}m${String(Math.round((millis % 60_000) / 1000)).padStart(2, '0')}s`;
  if (millis >= 1000) return `${(millis / 1000).toFixed(1)}s`;
  return `${Math.round(millis)}ms`;
}

function seconds_(from: Date | undefined, to: Date | undefined): number {
  if (from === undefined || to === undefined) return 0;
  return (to.getTime() - from.getTime()) / 1000;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function partsOf(output: string): Record<string, unknown>[] | undefined {
  const value = parse(output) as { parts?: unknown } | undefined;
  if (value === null || typeof value !== 'object' || !Array.isArray(value.parts)) return undefined;
  const parts = value.parts.filter((p): p is Record<string, unknown> => p !== null && typeof p === 'object');
  return parts.length > 0 && parts.every((p) => typeof p.rows === 'number') ? parts : undefined;
}

function summaryOf(output: string): { rows: number; parts: number; bytes: number } | undefined {
  const value = parse(output) as Record<string, unknown> | undefined;
  if (value === null || typeof value !== 'object') return undefined;
  const { rows, parts, bytes } = value;
  if (typeof rows === 'number' && typeof parts === 'number' && typeof bytes === 'number')
    return { rows, parts, bytes };
  return undefined;
}
