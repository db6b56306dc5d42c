import { z } from 'zod';
import { LOAD_MODES, type LoadMode } from '../sql/merge.ts';
import type { PartSummary } from './loadRun.ts';

/** Objects listed one by one in a load's report; the rest are counted. */
export const MAX_REPORTED_OBJECTS = 50;
/** Rejected rows shown as samples in a load's report. */
export const MAX_REJECTED_SAMPLES = 10;

/**
 * What the prepare step saw, for the load's report: per-object counts (the first
 * MAX_REPORTED_OBJECTS objects) and samples of the rejected rows with their file.
 */
export const preparedReportSchema = z
  .object({
    perObject: z.array(
      z.object({ uri: z.string(), records: z.number().int(), rejected: z.number().int() }).strict(),
    ),
    rejectedSamples: z.array(
      z
        .object({
          uri: z.string(),
          line: z.number().int(),
          column: z.string().optional(),
          reason: z.string(),
        })
        .strict(),
    ),
  })
  .strict();
export type PreparedReport = z.infer<typeof preparedReportSchema>;

/** The report part of the prepared parts' summaries (bounded: it travels in the execution state). */
export function preparedReport(summaries: readonly PartSummary[]): PreparedReport {
  const uri = (s: PartSummary) => `s3://${s.bucket}/${s.key}`;
  return {
    perObject: summaries
      .slice(0, MAX_REPORTED_OBJECTS)
      .map((s) => ({ uri: uri(s), records: s.records, rejected: s.rejected })),
    rejectedSamples: summaries
      .flatMap((s) => s.rejectedSamples.map((r) => ({ uri: uri(s), ...r })))
      .slice(0, MAX_REJECTED_SAMPLES),
  };
}

/**
 * Rows the merge inserted and updated, from the load transaction's counts: upsert and merge
 * replace or update `matched` target rows by key and add the rest; append and replace insert
 * them all (see LOAD_MODES).
 */
export function rowChanges(
  mode: LoadMode,
  merged: number,
  matched: number,
): { inserted: number; updated: number } {
  const { inserted, updated } = LOAD_MODES[mode].changes(merged, matched);
  return { inserted, updated };
}

/** Target rows the merge deleted: replace's every row before, upsert's rows replaced by key. */
export function rowsDeleted(mode: LoadMode, merged: number, matched: number): number {
  return LOAD_MODES[mode].changes(merged, matched).deleted;
}

/** A load execution's output as the CLI reads it (`$.result`, `$.skipped`, `$.skippedCount`). */
export interface LoadOutput {
  result?: {
    nothingToDo?: boolean;
    table?: string;
    mode?: string;
    objects?: number;
    records?: number;
    rowsRead?: number;
    rejected?: number;
    /** Rows of the batch merged into the target (after de-duplication on the keys). */
    merged?: number;
    inserted?: number;
    updated?: number;
    deleted?: number;
    /** Target rows deleted by key by the delete markers (deleteMarker). */
    deletedByMarker?: number;
    rowsBefore?: number;
    rowsAfter?: number;
    alreadyLoaded?: boolean;
    skippedCount?: number;
    skipped?: SkippedEntry[];
    perObject?: PreparedReport['perObject'];
    rejectedSamples?: PreparedReport['rejectedSamples'];
    widened?: { column: string; from: number; to: number }[];
  };
  skipped?: SkippedEntry[];
  skippedCount?: number;
}

/** An object the load did not take: loaded already by the run `loadedBy`, or `reason` (empty object). */
export interface SkippedEntry {
  uri: string;
  loadedBy?: string;
  reason?: string;
}

const n = (v: number | undefined) => (v ?? 0).toLocaleString('en-US');

/** The load's report in words, one line each (the CLI summary prints them). */
export function formatLoadReport(output: LoadOutput): string[] {
  const r = output.result ?? {};
  const skipped = r.skipped ?? output.skipped ?? [];
  const skippedCount = r.skippedCount ?? output.skippedCount ?? skipped.length;
  // Empty objects are listed first by the plan, so the list counts them all (up to its bound).
  const empty = skipped.filter((s) => s.reason !== undefined).length;
  const loadedBefore = skippedCount - empty;
  const lines: string[] = [];
  const listSkipped = () => {
    for (const s of skipped)
      lines.push(`    skipped ${s.uri} (${s.reason ?? `loaded by run ${s.loadedBy ?? '?'}`})`);
    if (skippedCount > skipped.length)
      lines.push(`    ... and ${n(skippedCount - skipped.length)} more skipped`);
  };
  if (r.nothingToDo) {
    lines.push(
      `  nothing to do: all ${n(loadedBefore)} source object(s) were loaded by earlier runs${empty > 0 ? ` (and ${n(empty)} empty)` : ''}; no rows changed`,
    );
    listSkipped();
    return lines;
  }
  if (r.alreadyLoaded) {
    lines.push('  nothing changed: this batch was loaded already (a retry or a duplicate event)');
    return lines;
  }
  lines.push(`  table    ${r.table ?? '?'} (${r.mode ?? 'append'})`);
  lines.push(
    `  objects  ${n(r.objects)} loaded, ${n(loadedBefore)} skipped (loaded by earlier runs)${empty > 0 ? `, ${n(empty)} skipped (empty)` : ''}`,
  );
  lines.push(
    `  rows     ${n(r.rowsRead ?? r.records)} read, ${n(r.rejected)} rejected, ${n(r.records)} staged`,
  );
  if (r.mode === 'merge') lines.push(`  merged   ${n(r.merged)} rows by MERGE on the keys`);
  // `deleted` is the rows a replace removed or delete markers removed; an upsert's replaced rows are updated.
  lines.push(
    `           ${n(r.inserted)} inserted, ${n(r.updated)} updated, ${n(r.mode === 'replace' ? r.deleted : r.deletedByMarker)} deleted`,
  );
  if (r.rowsBefore !== undefined && r.rowsAfter !== undefined)
    lines.push(`  table rows ${n(r.rowsBefore)} -> ${n(r.rowsAfter)}`);
  for (const w of r.widened ?? [])
    lines.push(`  widened  column "${w.column}" from VARCHAR(${w.from}) to VARCHAR(${w.to}) (widenVarchar)`);
  for (const o of r.perObject ?? [])
    lines.push(`    ${o.uri}: ${n(o.records)} rows${o.rejected > 0 ? `, ${n(o.rejected)} rejected` : ''}`);
  if ((r.objects ?? 0) > (r.perObject?.length ?? 0) && (r.perObject?.length ?? 0) > 0)
    lines.push(`    ... and ${n((r.objects ?? 0) - (r.perObject?.length ?? 0))} more objects`);
  for (const s of r.rejectedSamples ?? [])
    lines.push(
      `    rejected ${s.uri} line ${s.line}${s.column === undefined ? '' : ` column "${s.column}"`}: ${s.reason}`,
    );
  listSkipped();
  return lines;
}
