import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { getText, listKeys } from '../aws/s3Objects.ts';
import { type ErrorName, errorClasses, errorNames, PartProcessingError } from '../errors.ts';
import { type LoadContext, partSummaryKey, stagingKeys } from './loadRun.ts';

const failureSchema = z.object({ index: z.number().int(), name: z.string(), message: z.string() }).strict();

/** The Map's error as Catch put it in the state (`ResultPath: $.error`). */
export interface MapFailure {
  Error?: string | undefined;
  Cause?: string | undefined;
}

/**
 * After the Distributed Map failed (States.ExceedToleratedFailureThreshold, which names no part):
 * throws the named error of the first failed part, as preparePart recorded it under
 * `<staging>/failed/`, so the run fails with BadRecordError, SchemaMismatchError... as an inline
 * Map would. Without a record (a part timed out or crashed), a PartProcessingError with the
 * Map's own cause.
 */
export async function explainPrepareFailure(
  s3: S3Client,
  context: LoadContext,
  failure: MapFailure,
): Promise<never> {
  const staging = stagingKeys(context);
  const keys = (await listKeys(s3, staging.bucket, `${staging.prefix}failed/`)).sort();
  for (const key of keys) {
    const text = await getText(s3, staging.bucket, key);
    let parsed: ReturnType<typeof failureSchema.safeParse> | undefined;
    try {
      parsed = failureSchema.safeParse(JSON.parse(text ?? 'null'));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success !== true) continue;
    const { name, message, index } = parsed.data;
    // A record left by an earlier attempt of this run id (keepStaging) for a part that has
    // since succeeded is not this failure.
    if ((await getText(s3, staging.bucket, partSummaryKey(staging, index))) !== undefined) continue;
    const known = (errorNames as string[]).includes(name) && name !== 'RedshiftTransferError';
    // Every named class takes the message first (JobValidationError's issues are in it already).
    const ErrorClass = (known ? errorClasses[name as ErrorName] : PartProcessingError) as new (
      message: string,
    ) => Error;
    throw new ErrorClass(known ? message : `Part ${index} failed (${name}): ${message}`);
  }
  throw new PartProcessingError(
    `Preparing the parts failed (${failure.Error ?? 'unknown error'}: ${failure.Cause ?? 'no cause'}) and no part recorded why (a timeout or a crash?). Read the Map Run's failed child executions, fix the cause and run again.`,
  );
}
