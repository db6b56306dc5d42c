import { type S3Location, s3Uri, tryParseS3Uri } from '../../../../src/aws/s3Uri.ts';
import { RedshiftSqlError } from '../types.ts';

export type { S3Location };
export { s3Uri };

/** `s3://bucket/key/prefix` -> `{ bucket, key }` (key may be empty); a bad one is Redshift's 22023. */
export function parseS3Uri(uri: string, what: string): S3Location {
  const location = tryParseS3Uri(uri);
  if (location === undefined)
    throw new RedshiftSqlError(`Invalid ${what} '${uri}': expected 's3://bucket/prefix'.`, '22023');
  return location;
}
