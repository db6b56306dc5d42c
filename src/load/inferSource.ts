import type { S3Client } from '@aws-sdk/client-s3';
import { s3Url } from '../aws/s3Uri.ts';
import { SchemaMismatchError } from '../errors.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { inferFromSample } from './inferSample.ts';
import type { InferredColumn } from './inferTypes.ts';
import {
  compressionFromKey,
  decompress,
  openObject,
  type SourceObjectRef,
  utf8Text,
} from './sourceStream.ts';

/**
 * The columns of a CSV/JSON source object with their inferred types (inferFromSample: the first
 * DEFAULT_SAMPLE_RECORDS records, the object is not read further), for `createTable: { infer:
 * true }` and `schemaEvolution: [addColumns]`. What cannot be inferred is a SchemaMismatchError
 * naming the object.
 */
export async function inferSourceColumns(
  s3: S3Client,
  job: LoadJob,
  o: SourceObjectRef,
  purpose: string,
): Promise<InferredColumn[]> {
  const f = job.format;
  if (f.type === 'parquet') throw new Error('inferSourceColumns reads CSV or JSON');
  const label = s3Url(o);
  const compression = f.compression === 'auto' ? compressionFromKey(o.key) : f.compression;
  const bytes = decompress(await openObject(s3, o), compression, label);
  try {
    return await inferFromSample(
      utf8Text(bytes, label, job.copyOptions.acceptInvChars !== false),
      job,
      label,
    );
  } catch (error) {
    if (error instanceof SchemaMismatchError || (error as Error).name !== 'Error') throw error;
    throw new SchemaMismatchError(
      `${purpose}: cannot infer column types from ${label}: ${(error as Error).message}. Declare createTable.columns in the job, or fix the file.`,
      { context: { file: label } },
    );
  } finally {
    bytes.destroy();
  }
}
