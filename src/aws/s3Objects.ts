import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { TransientError } from '../errors.ts';

/** Every key under `prefix`, following continuation tokens. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3Call(() =>
      s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      ),
    );
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/** Deletes keys in batches of 1000; returns how many were deleted. */
export async function deleteKeys(s3: S3Client, bucket: string, keys: string[]): Promise<number> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const out = await s3Call(() =>
      s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      ),
    );
    const failed = out.Errors ?? [];
    if (failed.length > 0) {
      throw new TransientError(
        `Could not delete ${failed.length} objects in s3://${bucket}/ (first: ${failed[0]?.Key}: ${failed[0]?.Message}).`,
      );
    }
  }
  return keys.length;
}

/** The object's text, or undefined when it does not exist. */
export async function getText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if (
      (error as Error).name === 'NoSuchKey' ||
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
    ) {
      return undefined;
    }
    throw toTransientIfRetryable(error);
  }
}

export async function putText(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  contentType: string,
): Promise<void> {
  await s3Call(() =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        // The SDK sets no length for an empty body (`_SUCCESS`) and then warns about streams.
        ContentLength: Buffer.byteLength(body),
        ContentType: contentType,
      }),
    ),
  );
}

/** S3 throttling, 5xx and dropped connections become TransientError (retried by the ASL). */
export function toTransientIfRetryable(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: string }).code;
  if (
    (status !== undefined && (status >= 500 || status === 429)) ||
    ['SlowDown', 'ThrottlingException', 'RequestTimeout', 'TimeoutError'].includes(error.name) ||
    (code !== undefined && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code))
  ) {
    return new TransientError(`S3 call failed transiently (${error.name}: ${error.message}); retrying.`, {
      cause: error,
    });
  }
  return error;
}

export async function s3Call<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toTransientIfRetryable(error);
  }
}
