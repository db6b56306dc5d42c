import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { cancelStatement, describeStatement } from './dataApi.ts';

/**
 * Cancels statement `id` if it is still SUBMITTED, PICKED or STARTED (a cancelled transaction
 * rolls back). Returns whether it was cancelled: false when it had already ended.
 */
export async function cancelIfRunning(client: RedshiftDataClient, id: string): Promise<boolean> {
  const d = await describeStatement(client, id);
  if (d.status === 'SUBMITTED' || d.status === 'PICKED' || d.status === 'STARTED') {
    return cancelStatement(client, id);
  }
  return false;
}
