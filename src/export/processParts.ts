import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { AbortMultipartUploadCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3Call, toTransientIfRetryable } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import { PartProcessingError, RedshiftTransferError, TransientError } from '../errors.ts';
import type { ExportJob } from '../job/exportJob.ts';
import type { ColumnSchema } from '../manifest/unloadManifest.ts';
import { sha256Checksum } from '../parts/partChecksum.ts';
import { processPartStream } from '../parts/processPartStream.ts';
import { copyPart } from './copyPart.ts';
import type { PartItem, PartResult } from './exportRun.ts';
import { outputCompression, partOutputUrl } from './outputKey.ts';

export interface PartContext {
  runId: string;
  job: ExportJob;
  staging: string;
  destination: string;
  schema: ColumnSchema[];
}

const CONTENT_TYPE = {
  csv: 'text/csv',
  text: 'text/plain',
  json: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet',
};

/**
 * Processes one part S3 -> S3. A part that needs no conversion is copied inside S3 (`verify:
 * manifest`, the default) when the manifest counts its records; otherwise it streams through
 * processPartStream (`streamPart`).
 */
export async function processPart(s3: S3Client, ctx: PartContext, part: PartItem): Promise<PartResult> {
  const { job } = ctx;
  const unchanged = job.process.convert === 'none' && outputCompression(job) === job.unload.compression;
  if (job.process.verify === 'manifest' && unchanged && part.recordCount !== undefined) {
    return copyUnchangedPart(s3, ctx, part, part.recordCount);
  }
  return streamPart(s3, ctx, part);
}

async function copyUnchangedPart(
  s3: S3Client,
  ctx: PartContext,
  part: PartItem,
  records: number,
): Promise<PartResult> {
  const url = partOutputUrl(ctx.job, ctx.staging, ctx.destination, part, ctx.runId);
  const target = parseS3Uri(url);
  const u = ctx.job.unload;
  try {
    const copied = await copyPart(s3, part, {
      ...target,
      contentType: CONTENT_TYPE[u.format],
      contentEncoding: u.compression === 'gzip' ? 'gzip' : undefined,
    });
    const headerLines = u.header && u.format !== 'parquet' && records > 0 ? 1 : 0;
    return {
      index: part.index,
      source: part.url,
      url,
      records,
      rows: records - headerLines,
      bytesIn: copied.bytes,
      bytesOut: copied.bytes,
      sha256: copied.sha256,
      verified: 'manifest',
      checksum: copied.checksum,
      lambdaBytes: copied.lambdaBytes,
    };
  } catch (error) {
    throw partError(part, url, error);
  }
}

/**
 * Streams the staging object through processPartStream into a
 * multipart Upload at its deterministic destination key. Memory is bounded by the stream
 * buffers and the upload's part size, not by the object's size.
 */
async function streamPart(s3: S3Client, ctx: PartContext, part: PartItem): Promise<PartResult> {
  const source = parseS3Uri(part.url);
  const url = partOutputUrl(ctx.job, ctx.staging, ctx.destination, part, ctx.runId);
  const target = parseS3Uri(url);
  const object = await s3Call(() =>
    s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key })),
  ).catch((error: unknown) => {
    throw partError(part, url, error);
  });
  const body = new PassThrough();
  const compression = outputCompression(ctx.job);
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: target.bucket,
      Key: target.key,
      Body: body,
      ContentType:
        ctx.job.process.convert === 'csv-to-jsonl'
          ? 'application/x-ndjson'
          : CONTENT_TYPE[ctx.job.unload.format],
      ...(compression === 'gzip' ? { ContentEncoding: 'gzip' } : {}),
    },
    queueSize: 2,
    partSize: 8 * 1024 * 1024,
    // We abort the multipart upload ourselves: lib-storage's own abort replaces the upload's
    // error with the abort's when that fails too, and the real cause decides whether to retry.
    leavePartsOnError: true,
  });
  // An upload that fails stops reading `body`; destroying it ends the processing pipeline too.
  let uploadError: unknown;
  let aborting = false;
  const uploaded = upload.done().catch((error: unknown) => {
    if (!aborting) uploadError = error;
    body.destroy(error as Error);
    throw error;
  });
  uploaded.catch(() => {});
  const u = ctx.job.unload;
  try {
    const stats = await processPartStream(object.Body as Readable, body, {
      format: u.format,
      compression: u.compression,
      outputCompression: compression,
      ...(compression === 'gzip' ? { gzipLevel: ctx.job.process.compressionLevel } : {}),
      ...(compression === 'zstd' ? { zstdLevel: ctx.job.process.compressionLevel } : {}),
      convert: ctx.job.process.convert,
      header: u.header,
      delimiter: u.delimiter,
      escape: u.escape,
      nullAs: u.nullAs,
      schema: ctx.schema,
      expectedRecords: part.recordCount,
      expectedBytes: part.contentLength,
      label: part.url,
    });
    await uploaded;
    return {
      index: part.index,
      source: part.url,
      url,
      ...stats,
      checksum: sha256Checksum(stats.sha256),
      lambdaBytes: stats.bytesIn + stats.bytesOut,
    };
  } catch (error) {
    aborting = true;
    await upload.abort().catch(() => {});
    await uploaded.catch(() => {});
    await abortMultipartUpload(s3, target, upload.uploadId);
    // The pipeline reports a failed upload as its own error: name the upload's, the real cause.
    throw partError(part, url, uploadError ?? error);
  }
}

/** Best effort: no parts of a failed upload are left billed; a failure here never masks the cause. */
async function abortMultipartUpload(
  s3: S3Client,
  target: { bucket: string; key: string },
  uploadId: string | undefined,
): Promise<void> {
  if (uploadId === undefined) return;
  await s3
    .send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }))
    .catch(() => {});
}

/**
 * What a part failure surfaces as: TransientError when S3 (read or write) failed in a way worth
 * retrying, even inside the stream pipeline; our named errors unchanged; anything else (access
 * denied, missing bucket...) a PartProcessingError naming the part, its output and S3's error.
 */
export function partError(part: PartItem, url: string, error: unknown): Error {
  const transient = toTransientIfRetryable(error);
  if (transient instanceof TransientError) return transient;
  const cause = (error as { cause?: unknown }).cause;
  if (error instanceof PartProcessingError && cause !== undefined) {
    const inner = toTransientIfRetryable(cause);
    if (inner instanceof TransientError) return inner;
  }
  if (error instanceof RedshiftTransferError) return error;
  const e = error instanceof Error ? error : new Error(String(error));
  // GetObject says NoSuchKey; the zero-copy path's HeadObject of the staged part has no body, so
  // the SDK names the same 404 NotFound.
  if (e.name === 'NoSuchKey' || e.name === 'NotFound') {
    return new PartProcessingError(
      `Part ${part.index} (${part.url} -> ${url}) failed: NoSuchKey: it vanished from staging after the UNLOAD listed it (something else deleted it). Keep other writers out of the staging prefix, then run the export again.`,
      { cause: error },
    );
  }
  return new PartProcessingError(
    `Part ${part.index} (${part.url} -> ${url}) failed: ${e.name}: ${e.message}. Check that the role can read the staging prefix and write the destination, then run the export again.`,
    { cause: error },
  );
}

/** Processes parts one after the other (a Distributed Map batch); fails on the first error. */
export async function processPartBatch(
  s3: S3Client,
  ctx: PartContext,
  parts: PartItem[],
): Promise<PartResult[]> {
  const results: PartResult[] = [];
  for (const part of parts) results.push(await processPart(s3, ctx, part));
  return results;
}
