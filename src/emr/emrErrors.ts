import { TransientError } from '../errors.ts';

const TRANSIENT = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'RequestTimeout',
  'TimeoutError',
]);

/**
 * An EMR API failure worth retrying (throttling, a 5xx, a network error) becomes a
 * TransientError, which the state machine retries with backoff; anything else is returned as is
 * for the caller to name.
 */
export function classifyEmrError(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown }).$metadata;
  const status = meta?.httpStatusCode ?? 0;
  const networkError = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(
    (error as { code?: string }).code ?? '',
  );
  if (
    TRANSIENT.has(error.name) ||
    status >= 500 ||
    networkError ||
    (error as { $retryable?: unknown }).$retryable
  ) {
    return new TransientError(
      `${what} failed with ${error.name}: ${error.message} (retried by the state machine)`,
      {
        cause: error,
      },
    );
  }
  return error;
}
