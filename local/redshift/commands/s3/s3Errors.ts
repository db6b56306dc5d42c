import { RedshiftSqlError } from '../types.ts';

interface SdkErrorLike {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/**
 * An S3 SDK failure in Redshift's wording: `S3ServiceException:The specified bucket does not
 * exist,Status 404,Error NoSuchBucket,Rid ...`.
 */
export function s3ServiceError(err: unknown, context?: string): RedshiftSqlError {
  if (err instanceof RedshiftSqlError) return err;
  const e = (err ?? {}) as SdkErrorLike;
  const code = e.Code ?? e.name ?? 'Unknown';
  const status = e.$metadata?.httpStatusCode ?? 500;
  const text =
    code === 'NoSuchBucket'
      ? 'The specified bucket does not exist'
      : code === 'NoSuchKey'
        ? 'The specified key does not exist.'
        : (e.message ?? String(err));
  const rid = e.$metadata?.requestId ?? 'local';
  return new RedshiftSqlError(
    `${context ? `${context} - ` : ''}S3ServiceException:${text},Status ${status},Error ${code},Rid ${rid}`,
    'XX000',
  );
}
