/** An S3 object or prefix: `s3://<bucket>/<key>` (the key may be empty or end in `/`). */
export interface S3Location {
  bucket: string;
  key: string;
}

// No whitespace in a bucket name; a key may hold anything, newlines included.
const S3_URI = /^s3:\/\/([^/\s]+)(?:\/(.*))?$/s;

/** The one S3 URI parser: `s3://bucket/key` -> `{ bucket, key }`, or undefined when it is not one. */
export function tryParseS3Uri(uri: string): S3Location | undefined {
  const m = S3_URI.exec(uri);
  return m === null ? undefined : { bucket: m[1] as string, key: m[2] ?? '' };
}

/** `s3://bucket/key` -> `{ bucket, key }`; throws when `uri` is not an S3 URI (a bug upstream: job URIs are validated). */
export function parseS3Uri(uri: string): S3Location {
  const location = tryParseS3Uri(uri);
  if (location === undefined) throw new Error(`Not an S3 URI: ${uri}`);
  return location;
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The URI of an object (or prefix) given as `{ bucket, key }`, for messages and manifests. */
export function s3Url(o: S3Location): string {
  return s3Uri(o.bucket, o.key);
}
