import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { listObjects } from '../s3/listObjects.ts';
import { s3ServiceError } from '../s3/s3Errors.ts';
import { parseS3Uri, s3Uri } from '../s3/s3Uri.ts';
import { RedshiftSqlError } from '../types.ts';

export interface SourceObject {
  bucket: string;
  key: string;
  url: string;
  /** From the manifest's meta.content_length or the listing. */
  size?: number | undefined;
}

/** Reads a whole (small) S3 object as text: manifests and JSONPaths files. */
export async function readSmallObject(
  s3: S3Client,
  url: string,
  what: string,
  signal: AbortSignal,
): Promise<string> {
  const { bucket, key } = parseS3Uri(url, what);
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return await (res.Body as { transformToString(): Promise<string> }).transformToString();
  } catch (err) {
    throw s3ServiceError(err, `Problem reading ${what} ${url}`);
  }
}

interface ManifestEntry {
  url?: unknown;
  mandatory?: unknown;
  meta?: { content_length?: unknown };
}

/**
 * The objects a COPY reads. FROM a prefix: every object whose key starts with it (so a manifest
 * or JSONPaths file under the prefix is read as data, as on Redshift). FROM a manifest (with
 * MANIFEST): its entries, each listed entry read as often as it is listed.
 */
export async function resolveSourceObjects(
  s3: S3Client,
  from: string,
  manifest: boolean,
  columnar: boolean,
  signal: AbortSignal,
): Promise<SourceObject[]> {
  const { bucket, key } = parseS3Uri(from, 'FROM location');
  if (!manifest) {
    const objects = await listObjects(s3, bucket, key, signal);
    const files = objects.filter((o) => !o.key.endsWith('/'));
    if (files.length === 0)
      throw new RedshiftSqlError(`The specified S3 prefix '${key}' does not exist`, 'XX000');
    return files.map((o) => ({ bucket, key: o.key, url: s3Uri(bucket, o.key), size: o.size }));
  }
  const text = await readSmallObject(s3, from, 'manifest file', signal);
  let doc: { entries?: unknown };
  try {
    doc = JSON.parse(text) as { entries?: unknown };
  } catch {
    throw new RedshiftSqlError(`Manifest file is not in correct json format: ${from}`, 'XX000');
  }
  if (!doc || !Array.isArray(doc.entries))
    throw new RedshiftSqlError(
      `Manifest file is not in correct json format: ${from} has no "entries" array`,
      'XX000',
    );
  const out: SourceObject[] = [];
  for (const [i, e] of (doc.entries as ManifestEntry[]).entries()) {
    if (!e || typeof e.url !== 'string')
      throw new RedshiftSqlError(
        `Manifest file is not in correct json format: entries[${i}] has no "url"`,
        'XX000',
      );
    const loc = parseS3Uri(e.url, `manifest entry ${i}`);
    const len = e.meta?.content_length;
    if (columnar && typeof len !== 'number')
      throw new RedshiftSqlError(
        `Manifest entry for ${e.url} is missing meta.content_length, which COPY needs for columnar formats.`,
        'XX000',
      );
    const found = await listObjects(s3, loc.bucket, loc.key, signal, 1);
    const exists = found.some((f) => f.key === loc.key);
    if (!exists) {
      if (e.mandatory === true)
        throw new RedshiftSqlError(`Manifest file is missing mandatory S3 object: ${e.url}`, 'XX000');
      continue;
    }
    out.push({
      bucket: loc.bucket,
      key: loc.key,
      url: e.url,
      size: typeof len === 'number' ? len : undefined,
    });
  }
  if (out.length === 0) {
    // "Regardless of mandatory, COPY terminates if no files are found."
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
    } catch (err) {
      throw s3ServiceError(err);
    }
    throw new RedshiftSqlError(`Manifest ${from} lists no S3 object that exists: nothing to load.`, 'XX000');
  }
  return out;
}
