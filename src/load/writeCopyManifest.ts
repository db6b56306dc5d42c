import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { getText, listKeys, putText } from '../aws/s3Objects.ts';
import { BadRecordError, ManifestError } from '../errors.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { ledgerObjectsCsv } from '../sql/ledger.ts';
import { preparedReport, preparedReportSchema } from './loadReport.ts';
import {
  type LoadContext,
  manifestKey,
  objectsKey,
  type PartSummary,
  partSummarySchema,
  shortHash,
  stagingKeys,
} from './loadRun.ts';
import { planWidening, widenedColumnSchema } from './widenVarchar.ts';

const READ_CONCURRENCY = 32;

/** What the load statement needs from the prepared parts. */
export const preparedLoadSchema = z
  .object({
    manifestUri: z.string(),
    objectsUri: z.string(),
    /** Records in the prepared files: what the COPY must stage. */
    records: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    objects: z.number().int().nonnegative(),
    /** Identifies this batch (run + manifest) in the ledger and in the statement's client token. */
    loadId: z.string(),
    /** Per-object counts and rejected samples for the load's report. */
    report: preparedReportSchema.optional(),
    /** VARCHAR columns to widen before the load transaction (widenVarchar); the ASL's queue. */
    widen: z.array(widenedColumnSchema).optional(),
  })
  .strict();
export type PreparedLoad = z.infer<typeof preparedLoadSchema>;

/** A COPY manifest: every file mandatory, with `content_length` (required for Parquet). */
export function copyManifest(summaries: readonly PartSummary[]): {
  entries: { url: string; mandatory: true; meta: { content_length: number } }[];
} {
  return {
    entries: summaries.flatMap((s) =>
      s.files.map((f) => ({ url: f.url, mandatory: true as const, meta: { content_length: f.bytes } })),
    ),
  };
}

/**
 * Collects the part summaries the Map left in staging (one per planned part, or ManifestError),
 * enforces maxErrors over the whole load, and writes the COPY manifest and the objects file for
 * the ledger. Reading the summaries from S3 keeps the Map's results out of the state payload.
 */
export async function writeCopyManifest(
  s3: S3Client,
  job: LoadJob,
  context: LoadContext,
): Promise<PreparedLoad> {
  const staging = stagingKeys(context);
  const keys = (await listKeys(s3, staging.bucket, `${staging.prefix}parts/`)).sort();
  const summaries: PartSummary[] = [];
  // Up to 100,000 small objects: read them READ_CONCURRENCY at a time, not one by one.
  let next = 0;
  const reader = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      const text = await getText(s3, staging.bucket, key);
      let parsed: ReturnType<typeof partSummarySchema.safeParse> | undefined;
      try {
        parsed = partSummarySchema.safeParse(JSON.parse(text ?? 'null'));
      } catch {
        parsed = undefined;
      }
      if (parsed?.success !== true) {
        throw new ManifestError(
          `Part summary s3://${staging.bucket}/${key} is unreadable; run the load again.`,
        );
      }
      summaries.push(parsed.data);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, keys.length) }, reader));
  summaries.sort((a, b) => a.index - b.index);
  const indexes = summaries.map((s) => s.index);
  const present = new Set(indexes);
  const missing = Array.from({ length: context.partCount }, (_, i) => i).filter((i) => !present.has(i));
  if (missing.length > 0 || summaries.length !== context.partCount) {
    throw new ManifestError(
      `Expected ${context.partCount} prepared parts under s3://${staging.bucket}/${staging.prefix}parts/ but found ${summaries.length}` +
        `${missing.length > 0 ? ` (missing ${missing.slice(0, 10).join(', ')})` : ''}. Run the load again.`,
    );
  }
  const rejected = summaries.reduce((n, s) => n + s.rejected, 0);
  if (rejected > job.maxErrors) {
    const worst = summaries.find((s) => s.rejected > 0);
    const sample = worst?.rejectedSamples[0];
    throw new BadRecordError(
      `${rejected} bad records in the sources, more than maxErrors (${job.maxErrors}); e.g. s3://${worst?.bucket}/${worst?.key} line ${sample?.line}${sample?.column === undefined ? '' : `, column "${sample.column}"`}: ${sample?.reason}. Nothing was loaded.`,
    );
  }
  const manifest = JSON.stringify(copyManifest(summaries));
  const mKey = manifestKey(staging);
  const oKey = objectsKey(staging);
  await putText(s3, staging.bucket, mKey, manifest, 'application/json');
  await putText(
    s3,
    staging.bucket,
    oKey,
    ledgerObjectsCsv(
      summaries.map((s) => ({
        bucket: s.bucket,
        key: s.key,
        objectVersion: s.objectVersion,
        records: s.records,
      })),
    ),
    'text/csv',
  );
  const files = summaries.flatMap((s) => s.files);
  return {
    manifestUri: `s3://${staging.bucket}/${mKey}`,
    objectsUri: `s3://${staging.bucket}/${oKey}`,
    records: summaries.reduce((n, s) => n + s.records, 0),
    rejected,
    files: files.length,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    objects: summaries.length,
    loadId: shortHash(context.runId, manifest),
    report: preparedReport(summaries),
    widen: planWidening(
      context.tableColumns,
      summaries.map((s) => s.longest),
    ),
  };
}
