/**
 * Moved to src/aws/s3Objects.ts (S3 objects) and src/aws/s3Uri.ts (the S3 URI parser): this
 * re-export keeps branches written against the old path compiling until they are merged. Import
 * from src/aws/ in new code; delete this file once nothing imports it.
 */
export * from '../aws/s3Objects.ts';
export { parseS3Uri, s3Uri } from '../aws/s3Uri.ts';
