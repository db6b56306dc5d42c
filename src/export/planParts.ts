import type { S3Client } from '@aws-sdk/client-s3';
import { getText, putText } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import type { StatementState } from '../dataapi/pollStatement.ts';
import { ManifestError } from '../errors.ts';
import type { ExportJob } from '../job/exportJob.ts';
import { parseUnloadManifest } from '../manifest/unloadManifest.ts';
import type { PartItem, PartPlan } from './exportRun.ts';
import { INLINE_STATE_BUDGET_BYTES, inlineStateBytes } from './inlinePayload.ts';

/** Where a run keeps its state in the state bucket. */
export function runStatePrefix(jobName: string, runId: string): string {
  return `runs/${jobName}/${runId}/`;
}

/**
 * Reads the UNLOAD manifest (`<staging>manifest`) and plans the parts: listed inline when there
 * are at most `process.inlineMaxParts` and the inline state stays within
 * INLINE_STATE_BUDGET_BYTES (a long query or long keys can pass it with few parts), otherwise
 * written as a JSON items file to the state bucket for a Distributed Map, so the parent execution
 * never carries the whole list.
 */
export async function planParts(
  s3: S3Client,
  run: { runId: string; job: ExportJob; staging: string; statement: StatementState },
  stateBucket: string | undefined,
): Promise<PartPlan> {
  const manifestUri = `${run.staging}manifest`;
  const { bucket, key } = parseS3Uri(manifestUri);
  const text = await getText(s3, bucket, key);
  const resultsPrefix = `${runStatePrefix(run.job.name, run.runId)}map-results`;
  if (text === undefined) {
    // JSON UNLOADs of zero rows write nothing at all, not even a manifest.
    if (run.statement.resultRows === 0) {
      return { mode: 'inline', count: 0, parts: [], resultsPrefix, manifestUri, schema: [], totalRecords: 0 };
    }
    throw new ManifestError(
      `UNLOAD manifest ${manifestUri} does not exist although statement ${run.statement.id} finished with ${run.statement.resultRows ?? 'unknown'} rows. Check that the role can write to the staging prefix, then run again.`,
    );
  }
  const manifest = parseUnloadManifest(text, manifestUri);
  const parts: PartItem[] = manifest.entries.map((e, index) => ({
    index,
    url: e.url,
    contentLength: e.contentLength,
    ...(e.recordCount === undefined ? {} : { recordCount: e.recordCount }),
  }));
  for (const p of parts) {
    if (!p.url.startsWith(run.staging)) {
      throw new ManifestError(
        `UNLOAD manifest ${manifestUri}: entries[${p.index}].url ${p.url} is outside the staging prefix ${run.staging}.`,
      );
    }
  }
  const base = {
    count: parts.length,
    resultsPrefix,
    manifestUri,
    schema: manifest.schema,
    totalRecords: manifest.totalRecords ?? null,
  };
  const inline: PartPlan = { mode: 'inline', parts, ...base };
  const inlineBytes = inlineStateBytes(run.job, inline);
  if (parts.length <= run.job.process.inlineMaxParts && inlineBytes <= INLINE_STATE_BUDGET_BYTES)
    return inline;
  if (stateBucket === undefined) {
    const why =
      parts.length <= run.job.process.inlineMaxParts
        ? `listing them inline would make a state of up to ${inlineBytes} bytes (budget ${INLINE_STATE_BUDGET_BYTES}: the job and the part URLs are large)`
        : `more than process.inlineMaxParts = ${run.job.process.inlineMaxParts}`;
    throw new ManifestError(
      `${parts.length} parts need a Distributed Map (${why}), which reads its items from the state bucket, but RT_STATE_BUCKET is not set. Set it (serverless.yml does).`,
    );
  }
  const itemsKey = `${runStatePrefix(run.job.name, run.runId)}parts.json`;
  await putText(s3, stateBucket, itemsKey, JSON.stringify(parts), 'application/json');
  return { mode: 'distributed', itemsBucket: stateBucket, itemsKey, ...base };
}
