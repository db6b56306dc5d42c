import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { deleteKeys, listKeys } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import type { StatementState } from '../dataapi/pollStatement.ts';
import { ManifestError } from '../errors.ts';
import { readMapResults } from '../manifest/mapResults.ts';
import { sha256FromChecksum } from '../parts/partChecksum.ts';
import { formatIssues } from '../validation/formatIssues.ts';
import { buildExportManifest } from './exportManifest.ts';
import {
  type ExportRun,
  type PartDigest,
  type PartPlan,
  type PartResult,
  partDigestSchema,
  partResultSchema,
} from './exportRun.ts';
import { outputCompression, partOutputUrl } from './outputKey.ts';
import { runStatePrefix } from './planParts.ts';
import { publish } from './publication.ts';
import { reconcile } from './reconcile.ts';

/**
 * What the Map state produced: the inline Map's array of part digests (or of whole processParts
 * outputs), or the Distributed Map's ResultWriter details.
 */
export const processedSchema = z.union([
  z.array(z.union([partDigestSchema, z.object({ parts: z.array(partResultSchema) }).strict()])),
  z.object({ ResultWriterDetails: z.object({ Bucket: z.string(), Key: z.string() }) }).loose(),
]);
export type Processed = z.infer<typeof processedSchema>;

/** The export's summary (`$.result`), which the Spark step receives. */
export interface ExportSummary {
  manifestUri: string;
  destination: string;
  rows: number;
  parts: number;
  bytes: number;
  /** Bytes that passed through Lambda (read plus written); 0 when every part was copied in S3. */
  lambdaBytes: number;
}

const childOutput = z.object({ parts: z.array(partResultSchema) });

/**
 * Reconciles counts and publishes the parts with rows (src/export/publication.ts: `_manifest.json`
 * is the commit, `_SUCCESS` comes last), then empties the run's staging unless `keepStaging`.
 * Idempotent: running it again gives the same objects.
 */
export async function finalizeExport(
  s3: S3Client,
  input: { run: ExportRun; statement: StatementState; plan: PartPlan; processed: Processed },
  options: { stateBucket?: string | undefined; now: number },
): Promise<ExportSummary> {
  const { run, plan } = input;
  const results = await collectResults(s3, input.processed, (digest) => fromDigest(run, plan, digest));
  const rec = reconcile({
    plan,
    results,
    unloadedRows: input.statement.resultRows,
    header: run.job.unload.header,
  });

  // Parts without a data row (header-only or empty files some slices write) are not published:
  // every part a reader finds holds rows, and a zero-row export has `_manifest.json` with no parts.
  const published = rec.parts.filter((p) => p.rows > 0);
  const bytes = published.reduce((n, p) => n + p.bytesOut, 0);
  const dest = parseS3Uri(run.destination);
  const manifest = buildExportManifest({
    run,
    format: run.job.process.convert === 'csv-to-jsonl' ? 'jsonl' : run.job.unload.format,
    compression: outputCompression(run.job),
    rows: rec.rows,
    bytes,
    schema: plan.schema,
    parts: published,
    statement: input.statement,
    finishedAt: options.now,
  });
  const manifestKey = `${dest.key}_manifest.json`;
  await publish(
    s3,
    { ...run, onExisting: run.job.onExisting },
    {
      text: `${JSON.stringify(manifest, null, 2)}\n`,
      partKeys: new Set(published.map((p) => parseS3Uri(p.url).key)),
    },
  );

  if (!run.job.keepStaging) {
    const staging = parseS3Uri(run.staging);
    await deleteKeys(s3, staging.bucket, await listKeys(s3, staging.bucket, staging.key));
    if (options.stateBucket !== undefined) {
      const prefix = runStatePrefix(run.job.name, run.runId);
      await deleteKeys(s3, options.stateBucket, await listKeys(s3, options.stateBucket, prefix));
    }
  }
  return {
    manifestUri: `s3://${dest.bucket}/${manifestKey}`,
    destination: run.destination,
    rows: rec.rows,
    parts: published.length,
    bytes,
    lambdaBytes: manifest.lambdaBytes,
  };
}

/**
 * A part's full result from its inline digest and the plan: the source is the planned URL, the
 * output URL is deterministic, and bytesIn is the planned content_length (processPartStream
 * fails a part whose size differs).
 */
function fromDigest(run: ExportRun, plan: PartPlan, digest: PartDigest): PartResult {
  const part = plan.parts?.find((p) => p.index === digest.i);
  if (part === undefined) {
    throw new ManifestError(
      `The Map reported part ${digest.i}, which is not in the plan of ${plan.manifestUri} (${plan.count} parts, mode ${plan.mode}); results are inconsistent. Run the export again.`,
    );
  }
  return {
    index: part.index,
    source: part.url,
    url: partOutputUrl(run.job, run.staging, run.destination, part, run.runId),
    records: digest.records,
    rows: digest.rows,
    bytesIn: part.contentLength,
    bytesOut: digest.bytesOut,
    sha256: digest.sha256 ?? sha256FromChecksum(digest.checksum),
    verified: digest.verified,
    ...(digest.checksum === undefined ? {} : { checksum: digest.checksum }),
    ...(digest.lambdaBytes === undefined ? {} : { lambdaBytes: digest.lambdaBytes }),
  };
}

async function collectResults(
  s3: S3Client,
  processed: Processed,
  fromDigest: (digest: PartDigest) => PartResult,
): Promise<PartResult[]> {
  const outputs: unknown[] = Array.isArray(processed)
    ? processed
    : await readMapResults(s3, processed.ResultWriterDetails);
  const results: PartResult[] = [];
  for (const [i, output] of outputs.entries()) {
    if (output !== null && typeof output === 'object' && 'i' in output) {
      results.push(fromDigest(partDigestSchema.parse(output)));
      continue;
    }
    const parsed = childOutput.safeParse(output);
    if (!parsed.success) {
      throw new ManifestError(
        `Map result [${i}] is not a processParts output:\n  - ${formatIssues(parsed.error.issues).join('\n  - ')}`,
      );
    }
    results.push(...parsed.data.parts);
  }
  return results;
}
