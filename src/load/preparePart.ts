import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { putText } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import { PartProcessingError, SchemaMismatchError, TransientError } from '../errors.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { objectVersion } from '../sql/ledger.ts';
import { ChunkWriter } from './chunkWriter.ts';
import { parseJsonPaths } from './jsonPaths.ts';
import {
  chunkKey,
  failureKey,
  type LoadContext,
  type LoadPart,
  lineMapKey,
  type PartSummary,
  partSummaryKey,
  stagingKeys,
} from './loadRun.ts';
import { prepareParquet } from './prepareParquet.ts';
import { prepareStream } from './prepareStream.ts';
import { decompress, openObject, s3Url } from './sourceStream.ts';

export interface PrepareInput {
  s3: S3Client;
  job: LoadJob;
  context: LoadContext;
  part: LoadPart;
  /**
   * Records go to one chunk until this many bytes were written to it, then to the next (round
   * robin). Default: an eighth of the part's expected share per chunk, 16 KiB to 1 MiB; 1 deals
   * record by record.
   */
  dealBytes?: number | undefined;
}

/**
 * Prepares one source object for COPY, streaming it once with bounded memory: decompress,
 * check every record against the target's columns (header names, column count, values), count
 * the records, and deal them in runs into `part.chunks` gzip chunks under the run's staging
 * prefix (deterministic keys, so a retry overwrites), with a line map from chunk lines back to
 * source lines. A bad record is a BadRecordError naming the file, line and column before
 * anything is loaded; with `maxErrors` it is skipped and reported instead. Parquet is checked
 * from its footer and copied as it is. The part's summary is written next to the chunks for
 * writeCopyManifest and returned.
 */
export async function preparePart(input: PrepareInput): Promise<PartSummary> {
  try {
    return await prepare(input);
  } catch (error) {
    // A Distributed Map fails with States.ExceedToleratedFailureThreshold, not with the part's
    // error: leave the named error where explainPrepareFailure finds it. A TransientError is
    // retried by the state machine and is not the run's failure (yet).
    if (!(error instanceof TransientError)) {
      const staging = stagingKeys(input.context);
      const e = error as Error;
      await putText(
        input.s3,
        staging.bucket,
        failureKey(staging, input.part.index),
        JSON.stringify({ index: input.part.index, name: e.name, message: e.message }),
        'application/json',
      ).catch(() => undefined);
    }
    throw error;
  }
}

async function prepare({ s3, job, context, part, dealBytes }: PrepareInput): Promise<PartSummary> {
  const label = s3Url(part);
  const staging = stagingKeys(context);
  let files: PartSummary['files'];
  let records: number;
  let rejected = 0;
  let rejectedSamples: PartSummary['rejectedSamples'] = [];
  let longest: PartSummary['longest'];

  if (job.format.type === 'parquet') {
    ({ files, records, longest } = await prepareParquet(s3, context, part, label));
  } else {
    const jsonPaths =
      job.format.type === 'json' && job.format.jsonPaths !== undefined
        ? await readJsonPaths(s3, job.format.jsonPaths)
        : undefined;
    const bytes = decompress(await openObject(s3, part), part.compression, label);
    const writers = Array.from(
      { length: part.chunks },
      (_, c) => new ChunkWriter(s3, staging.bucket, chunkKey(staging, part.index, c, chunkExtension(job))),
    );
    const expected = part.size * (part.compression === 'none' ? 1 : 4);
    let prepared: Awaited<ReturnType<typeof prepareStream>>;
    try {
      prepared = await prepareStream({
        source: bytes,
        job,
        context,
        label,
        outputs: writers,
        dealBytes: dealBytes ?? Math.min(1 << 20, Math.max(16 << 10, Math.floor(expected / part.chunks / 8))),
        jsonPaths,
      });
      const sizes = await Promise.all(writers.map((w) => w.end()));
      files = writers.map((w, i) => ({
        url: `s3://${staging.bucket}/${w.key}`,
        bytes: sizes[i] ?? 0,
        records: w.records,
      }));
    } catch (error) {
      await Promise.all(writers.map((w) => w.abort()));
      bytes.destroy();
      throw error;
    }
    ({ records, rejected, rejectedSamples, longest } = prepared);
    await putText(
      s3,
      staging.bucket,
      lineMapKey(staging, part.index),
      JSON.stringify(prepared.lineMap),
      'application/json',
    );
  }

  const summary: PartSummary = {
    index: part.index,
    bucket: part.bucket,
    key: part.key,
    objectVersion: objectVersion({ etag: part.etag }),
    records,
    rejected,
    rejectedSamples,
    files,
    ...(longest === undefined ? {} : { longest }),
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: staging.bucket,
      Key: partSummaryKey(staging, part.index),
      Body: JSON.stringify(summary),
      ContentType: 'application/json',
    }),
  );
  return summary;
}

/** Prepared chunks are always gzip; the extension says what is inside. */
export function chunkExtension(job: LoadJob): string {
  return job.format.type === 'json' ? '.json.gz' : job.format.type === 'parquet' ? '.parquet' : '.csv.gz';
}

/** The JSONPaths file's paths (read once per part), or a SchemaMismatchError saying what is wrong. */
async function readJsonPaths(s3: S3Client, uri: string): Promise<string[]> {
  const { bucket, key } = parseS3Uri(uri);
  let text: string;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await out.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw new PartProcessingError(`Cannot read the JSONPaths file ${uri}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = parseJsonPaths(text);
  if ('error' in parsed) {
    throw new SchemaMismatchError(
      `The JSONPaths file ${uri} ${parsed.error}. Fix format.jsonPaths or the file.`,
    );
  }
  return parsed.paths;
}
