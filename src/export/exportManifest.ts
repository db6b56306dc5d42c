import type { ColumnSchema } from '../manifest/unloadManifest.ts';
import { type ChecksumAlgorithm, parseChecksum } from '../parts/partChecksum.ts';
import type { ExportRun, PartResult } from './exportRun.ts';

export interface ExportManifestPart {
  url: string;
  rows: number;
  bytes: number;
  /** SHA-256 (hex) of the part; absent when S3 only keeps a CRC64NVME (multipart copy above 5 GiB). */
  sha256?: string;
  /**
   * The full-object checksum as S3 reports it (`head-object --checksum-mode ENABLED`), so a
   * reader can check a part without downloading it.
   */
  checksum?: { algorithm: ChecksumAlgorithm; value: string; type: 'FULL_OBJECT' };
  /** `manifest`: copied inside S3, rows from UNLOAD's manifest; `records`: streamed and counted. */
  verified: string;
}

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
  parts: ExportManifestPart[];
  /** Bytes that passed through Lambda for this export (read plus written); 0 when every part was copied in S3. */
  lambdaBytes: number;
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
    parts: input.parts.map(manifestPart),
    lambdaBytes: input.parts.reduce((n, p) => n + (p.lambdaBytes ?? p.bytesIn + p.bytesOut), 0),
    statementId: input.statement.id,
    timings: {
      plannedAt: new Date(input.run.plannedAt).toISOString(),
      unloadStartedAt: new Date(input.statement.startedAt).toISOString(),
      finishedAt: new Date(input.finishedAt).toISOString(),
    },
  };
}

function manifestPart(p: PartResult): ExportManifestPart {
  const checksum = p.checksum === undefined ? undefined : parseChecksum(p.checksum);
  return {
    url: p.url,
    rows: p.rows,
    bytes: p.bytesOut,
    ...(p.sha256 === '' ? {} : { sha256: p.sha256 }),
    ...(checksum === undefined ? {} : { checksum: { ...checksum, type: 'FULL_OBJECT' as const } }),
    verified: p.verified,
  };
}
