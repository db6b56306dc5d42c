import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { deleteKeys, getText, listKeys, putText } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import { DestinationNotEmptyError } from '../errors.ts';
import type { OnExisting } from '../job/exportJob.ts';
import { isRunPartKey } from './outputKey.ts';

/**
 * How an export owns and publishes its destination (docs/export.md, "Ownership and publication"):
 *
 * - A run writes only `part-NNNNN-<runId>.*` keys (its run id in the name), `_manifest.json` and
 *   `_SUCCESS`. It deletes only its own parts, and the parts the `_manifest.json` of an earlier
 *   run of the same job listed, once its own manifest has replaced that one.
 * - `_manifest.json` is the commit: one PUT switches readers from the old run's parts to the new
 *   run's, both sets existing at that moment. `_SUCCESS` is absent while the old parts are being
 *   removed, so a reader that lists the folder never trusts a mix of two runs.
 * - Before the switch the previous manifest is copied into the run's own staging prefix
 *   (`_superseded.json`), so a retried finalize or the cleanup knows what the switch replaced.
 */

const MANIFEST = '_manifest.json';
const SUCCESS = '_SUCCESS';
/** In the run's (run-scoped) staging prefix: the manifest this run's publication replaces. */
const SUPERSEDED = '_superseded.json';

/** The fields of a published `_manifest.json` that ownership decisions read. */
const publishedSchema = z
  .object({
    job: z.string(),
    runId: z.string(),
    parts: z.array(z.object({ url: z.string() }).loose()),
  })
  .loose();
export type Published = z.infer<typeof publishedSchema>;

/**
 * The `_manifest.json` at `destination`: undefined when there is none, `'foreign'` when an
 * object of that name is not one of our manifests (someone else's file: never ours to replace).
 */
export async function readPublished(
  s3: S3Client,
  destination: string,
): Promise<Published | 'foreign' | undefined> {
  const dest = parseS3Uri(destination);
  const text = await getText(s3, dest.bucket, `${dest.key}${MANIFEST}`);
  if (text === undefined) return undefined;
  try {
    const parsed = publishedSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'foreign';
  } catch {
    return 'foreign';
  }
}

function refuse(destination: string, why: string, what: string): never {
  throw new DestinationNotEmptyError(`The destination ${destination} ${why}; nothing was written. ${what}`);
}

const CHOICES =
  'Choose an empty destination (e.g. with {runId} or {runDate} in it), or set "onExisting": "replace" (replace the previous output of this job) or "newRunFolder" (write into <destination><runId>/).';

/**
 * Before anything is written: refuses a destination this run may not publish into. Every mode
 * refuses a destination holding another job's output (or a foreign `_manifest.json`), and a run
 * whose id is already published there (its part keys would overwrite the published parts).
 * `fail` (and `newRunFolder`, whose folder is new) also refuses any object no earlier attempt of
 * this very run wrote.
 */
export async function checkDestination(
  s3: S3Client,
  run: { runId: string; jobName: string; destination: string; onExisting: OnExisting },
): Promise<void> {
  const published = await checkPublished(s3, run);
  const dest = parseS3Uri(run.destination);
  if (run.onExisting === 'replace') {
    if (
      published === undefined &&
      (await listKeys(s3, dest.bucket, `${dest.key}${SUCCESS}`)).includes(`${dest.key}${SUCCESS}`)
    ) {
      refuse(
        run.destination,
        `holds a ${SUCCESS} without a ${MANIFEST} of this job`,
        'Choose another destination.',
      );
    }
    return;
  }
  const foreign = (await listKeys(s3, dest.bucket, dest.key)).find(
    (k) => !isRunPartKey(k.slice(dest.key.length), run.runId),
  );
  if (foreign !== undefined) {
    refuse(run.destination, `already holds objects (s3://${dest.bucket}/${foreign})`, CHOICES);
  }
}

async function checkPublished(
  s3: S3Client,
  run: { runId: string; jobName: string; destination: string; onExisting: OnExisting },
): Promise<Published | undefined> {
  const published = await readPublished(s3, run.destination);
  if (published === undefined) return undefined;
  if (published === 'foreign') {
    refuse(
      run.destination,
      `holds a ${MANIFEST} that this workflow did not write`,
      'Choose another destination.',
    );
  }
  if (published.job !== run.jobName) {
    refuse(
      run.destination,
      `holds the output of job "${published.job}" (run ${published.runId})`,
      'Each job needs its own destination; choose another one.',
    );
  }
  if (published.runId === run.runId) {
    refuse(
      run.destination,
      `already holds the published output of run ${run.runId}`,
      'Start the job with another runId (or execution name) to publish a new run.',
    );
  }
  if (run.onExisting !== 'replace') {
    refuse(run.destination, `holds the output of run ${published.runId}`, CHOICES);
  }
  return published;
}

/**
 * Publishes this run's parts (already written under their run-scoped keys): removes this run's
 * unpublished parts (retries, empty parts), switches `_manifest.json`, removes the parts of the
 * manifest it replaced, then writes `_SUCCESS`. Idempotent: a retry after any step completes it.
 */
export async function publish(
  s3: S3Client,
  run: { runId: string; jobName: string; staging: string; destination: string; onExisting: OnExisting },
  manifest: { text: string; partKeys: ReadonlySet<string> },
): Promise<void> {
  const dest = parseS3Uri(run.destination);
  const staging = parseS3Uri(run.staging);
  const current = await readPublished(s3, run.destination);
  const committed = current !== undefined && current !== 'foreign' && current.runId === run.runId;
  let superseded: Published | undefined;
  if (committed) {
    superseded = await readSuperseded(s3, run.staging);
  } else {
    superseded = await checkPublished(s3, run);
    const existing = await listKeys(s3, dest.bucket, dest.key);
    if (superseded === undefined && existing.includes(`${dest.key}${SUCCESS}`)) {
      refuse(
        run.destination,
        `holds a ${SUCCESS} without a ${MANIFEST} of this job`,
        'Choose another destination.',
      );
    }
    const unpublished = existing.filter(
      (k) => isRunPartKey(k.slice(dest.key.length), run.runId) && !manifest.partKeys.has(k),
    );
    await deleteKeys(s3, dest.bucket, unpublished);
    if (superseded !== undefined) {
      await putText(
        s3,
        staging.bucket,
        `${staging.key}${SUPERSEDED}`,
        JSON.stringify(superseded),
        'application/json',
      );
      await deleteKeys(s3, dest.bucket, [`${dest.key}${SUCCESS}`]);
    }
    await putText(s3, dest.bucket, `${dest.key}${MANIFEST}`, manifest.text, 'application/json');
  }
  if (superseded !== undefined) {
    await deleteKeys(s3, dest.bucket, supersededKeys(superseded, run.destination, manifest.partKeys));
  }
  await putText(s3, dest.bucket, `${dest.key}${SUCCESS}`, '', 'text/plain');
}

/**
 * The keys of a replaced manifest's parts that may be deleted: only the parts of that run
 * (its run id in the name) directly under this destination, never one of ours.
 */
function supersededKeys(superseded: Published, destination: string, ours: ReadonlySet<string>): string[] {
  const dest = parseS3Uri(destination);
  const keys: string[] = [];
  for (const part of superseded.parts) {
    if (!part.url.startsWith(destination)) continue;
    const key = parseS3Uri(part.url).key;
    if (!ours.has(key) && isRunPartKey(key.slice(dest.key.length), superseded.runId)) keys.push(key);
  }
  return keys;
}

async function readSuperseded(s3: S3Client, stagingUri: string): Promise<Published | undefined> {
  const staging = parseS3Uri(stagingUri);
  const text = await getText(s3, staging.bucket, `${staging.key}${SUPERSEDED}`);
  if (text === undefined) return undefined;
  const parsed = publishedSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/**
 * After a failure: removes this run's parts that no published manifest lists, and puts back
 * the `_SUCCESS` this run removed when it failed before switching the manifest. Never touches
 * another run's or anyone else's objects. Returns how many objects it removed.
 */
export async function retractRun(
  s3: S3Client,
  run: { runId: string; staging?: string | undefined; destination: string },
): Promise<number> {
  const dest = parseS3Uri(run.destination);
  const current = await readPublished(s3, run.destination);
  const listed = new Set(
    current === undefined || current === 'foreign' ? [] : current.parts.map((p) => p.url),
  );
  const existing = await listKeys(s3, dest.bucket, dest.key);
  const ours = existing.filter(
    (k) => isRunPartKey(k.slice(dest.key.length), run.runId) && !listed.has(`s3://${dest.bucket}/${k}`),
  );
  const removed = await deleteKeys(s3, dest.bucket, ours);
  const successGone = !existing.includes(`${dest.key}${SUCCESS}`);
  if (
    successGone &&
    run.staging !== undefined &&
    current !== undefined &&
    current !== 'foreign' &&
    current.runId !== run.runId
  ) {
    const superseded = await readSuperseded(s3, run.staging);
    if (superseded?.runId === current.runId) {
      await putText(s3, dest.bucket, `${dest.key}${SUCCESS}`, '', 'text/plain');
    }
  }
  return removed;
}
