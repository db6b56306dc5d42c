import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3ServiceError } from './s3Errors.ts';

export interface ListedObject {
  key: string;
  size: number;
}

/** Every object whose key starts with `prefix`, in key order (all pages). */
export async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
  limit = Number.POSITIVE_INFINITY,
): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let token: string | undefined;
  try {
    do {
      const res = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        { abortSignal: signal },
      );
      for (const o of res.Contents ?? [])
        if (o.Key !== undefined) out.push({ key: o.Key, size: o.Size ?? 0 });
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token !== undefined && out.length < limit);
  } catch (err) {
    throw s3ServiceError(err);
  }
  return out;
}

/** Deletes every object under `prefix`; returns how many. */
export async function deleteUnder(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<number> {
  const objects = await listObjects(s3, bucket, prefix, signal);
  try {
    for (let i = 0; i < objects.length; i += 1000) {
      await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: objects.slice(i, i + 1000).map((o) => ({ Key: o.key })), Quiet: true },
        }),
        { abortSignal: signal },
      );
    }
  } catch (err) {
    throw s3ServiceError(err);
  }
  return objects.length;
}
