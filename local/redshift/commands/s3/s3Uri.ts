import { RedshiftSqlError } from '../types.ts';

export interface S3Location {
  bucket: string;
  key: string;
}

/** `s3://bucket/key/prefix` -> `{ bucket, key }` (key may be empty). */
export function parseS3Uri(uri: string, what: string): S3Location {
  const m = /^s3:\/\/([^/\s]+)\/?(.*)$/s.exec(uri);
  if (!m) throw new RedshiftSqlError(`Invalid ${what} '${uri}': expected 's3://bucket/prefix'.`, '22023');
  return { bucket: m[1] as string, key: m[2] as string };
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
