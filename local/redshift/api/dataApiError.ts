import { AwsJsonError } from '../../http/startAwsJsonServer.ts';

/**
 * An error answered in the Data API's own shape (`{"__type": ..., "message": ...}` with its HTTP
 * status), which the SDK turns into its typed exception (`ValidationException`, ...).
 */
export class DataApiError extends AwsJsonError {
  constructor(
    type: string,
    status: number,
    message: string,
    /** Extra members of the error shape, e.g. `ResourceId` of ResourceNotFoundException. */
    fields: Record<string, string> = {},
  ) {
    super(type, message, status, fields);
  }
}

export const validation = (message: string) => new DataApiError('ValidationException', 400, message);

export const notFound = (message: string, resourceId: string) =>
  new DataApiError('ResourceNotFoundException', 404, message, { ResourceId: resourceId });

export const activeStatementsExceeded = (limit: number) =>
  new DataApiError(
    'ActiveStatementsExceededException',
    400,
    `The number of active statements exceeds the limit of ${limit}. Wait for running statements to finish or cancel some.`,
  );
