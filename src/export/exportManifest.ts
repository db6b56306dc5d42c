import type { ColumnSchema } from '../manifest/unloadManifest.ts';
import type { ExportRun, PartResult } from './exportRun.ts';

/**
 * `_manifest.json`, written next to the parts for downstream readers: what was exported, when,
 * and for each part its URL, rows, bytes and SHA-256. Versioned so readers can check the layout.
 */
export interface ExportManifest {
  version: 1;
  job: string;
  runId: string;
  runDate: string;
  destination: string;
  format: string;
  compression: string;
  rows: number;
  bytes: number;
  schema: ColumnSchema[];
  parts: { url: string; rows: number; bytes: number; sha256: string }[];
  statementId: string;
  timings: { plannedAt: string; unloadStartedAt: string; finishedAt: string };
}

export function buildExportManifest(input: {
  run: Pick<ExportRun, 'jobName' | 'runId' | 'runDate' | 'destination' | 'plannedAt'>;
  format: string;
  compression: string;
  rows: number;
  bytes: number;
  schema: ColumnSchema[];
  parts: PartResult[];
  statement: { id: string; startedAt: number };
  finishedAt: number;
}): ExportManifest {
  return {
    version: 1,
    job: input.run.jobName,
    runId: input.run.runId,
    runDate: input.run.runDate,
    destination: input.run.destination,
    format: input.format,
    compression: input.compression,
    rows: input.rows,
    bytes: input.bytes,
    schema: input.schema,
    parts: input.parts.map((p) => ({ url: p.url, rows: p.rows, bytes: p.bytesOut, sha256: p.sha256 })),
    statementId: input.statement.id,
    timings: {
      plannedAt: new Date(input.run.plannedAt).toISOString(),
      unloadStartedAt: new Date(input.statement.startedAt).toISOString(),
      finishedAt: new Date(input.finishedAt).toISOString(),
    },
  };
}
