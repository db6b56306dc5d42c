import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseS3Uri } from '../aws/s3Uri.ts';
import { targetColumnSchema } from './targetColumns.ts';

/**
 * What the plan decides once per run and hands to every later task: the parts (one per source
 * object), the target's columns, the file column order, and where everything is staged.
 */

export const sourceCompressionSchema = z.enum(['none', 'gzip', 'zstd', 'bzip2']);
export type SourceCompression = z.infer<typeof sourceCompressionSchema>;

export const loadPartSchema = z
  .object({
    index: z.number().int().nonnegative(),
    bucket: z.string().min(1),
    key: z.string().min(1),
    versionId: z.string().min(1).optional(),
    etag: z.string().min(1),
    size: z.number().int().nonnegative(),
    /** Gzip chunks this part writes (the run's total is a multiple of the slices). */
    chunks: z.number().int().positive(),
    compression: sourceCompressionSchema,
  })
  .strict();
export type LoadPart = z.infer<typeof loadPartSchema>;

export const loadContextSchema = z
  .object({
    runId: z.string().min(1),
    runDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** `s3://bucket/prefix/<job>/<runId>/`: chunks/, parts/, copy.manifest, objects.csv. */
    stagingPrefix: z.string().regex(/^s3:\/\/.+\/$/),
    table: z.object({ schema: z.string().min(1), name: z.string().min(1) }).strict(),
    tableColumns: z.array(targetColumnSchema).min(1),
    /** CSV/Parquet: the column order of the prepared chunks (COPY's column list); JSON: null. */
    fileColumns: z.array(z.string().min(1)).nullable(),
    /** `ALTER TABLE ... ADD COLUMN` statements (schemaEvolution) run first in the load transaction. */
    schemaChanges: z.array(z.string().min(1)).optional(),
    slices: z.number().int().positive(),
    /** Records and rejected rows are reconciled against this many parts. */
    partCount: z.number().int().nonnegative(),
  })
  .strict();
export type LoadContext = z.infer<typeof loadContextSchema>;

export interface StagingKeys {
  bucket: string;
  /** Key prefix ending in `/`. */
  prefix: string;
}

export function stagingKeys(context: Pick<LoadContext, 'stagingPrefix'>): StagingKeys {
  const { bucket, key } = parseS3Uri(context.stagingPrefix);
  return { bucket, prefix: key };
}

/** Where part `index` writes chunk `chunk` (deterministic: a retried part overwrites its chunks). */
export function chunkKey(staging: StagingKeys, index: number, chunk: number, extension: string): string {
  return `${staging.prefix}chunks/p${pad(index, 5)}-c${pad(chunk, 3)}${extension}`;
}

/** Where part `index` writes its summary (records, rejected rows, chunks). */
export function partSummaryKey(staging: StagingKeys, index: number): string {
  return `${staging.prefix}parts/p${pad(index, 5)}.json`;
}

/**
 * Where part `index` writes its line map: for each chunk, the source line of the chunk's lines
 * (see lineMap.ts), so that a COPY error on a chunk line names the source object's line.
 */
export function lineMapKey(staging: StagingKeys, index: number): string {
  return `${staging.prefix}lines/p${pad(index, 5)}.json`;
}

/** Where a failed part records its named error (a Distributed Map's failure does not carry it). */
export function failureKey(staging: StagingKeys, index: number): string {
  return `${staging.prefix}failed/p${pad(index, 5)}.json`;
}

export function manifestKey(staging: StagingKeys): string {
  return `${staging.prefix}copy.manifest`;
}

export function objectsKey(staging: StagingKeys): string {
  return `${staging.prefix}objects.csv`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A short stable hash for run ids and load ids. */
export function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/** The summary a prepared part leaves in S3 for writeCopyManifest. */
export const partSummarySchema = z
  .object({
    index: z.number().int().nonnegative(),
    bucket: z.string(),
    key: z.string(),
    objectVersion: z.string(),
    records: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    /** The first rejected rows (line, column, reason), for the report. */
    rejectedSamples: z.array(
      z.object({ line: z.number().int(), column: z.string().optional(), reason: z.string() }).strict(),
    ),
    /** Files COPY reads for this part: our chunks, or the source itself (Parquet). */
    files: z.array(
      z
        .object({ url: z.string(), bytes: z.number().int().nonnegative(), records: z.number().int() })
        .strict(),
    ),
    /** widenVarchar: the longest value (bytes) of each column whose values exceed its length. */
    longest: z.record(z.string(), z.number().int().positive()).optional(),
  })
  .strict();
export type PartSummary = z.infer<typeof partSummarySchema>;
