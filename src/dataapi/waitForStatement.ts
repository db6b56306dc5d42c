import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { describeStatement, type StatementDescription } from './dataApi.ts';

const ENDED = new Set(['FINISHED', 'FAILED', 'ABORTED']);

/**
 * The one wait inside a Lambda, for short statements only (the ledger's DDL, a lookup of load
 * errors): long-polled DescribeStatement (10 s a call) until the statement ends or `timeoutMs`
 * passes. Long statements are waited by the state machine (the Wait/Poll/Choice loop), never here.
 */
export async function waitForStatement(
  client: RedshiftDataClient,
  id: string,
  options: { timeoutMs: number; now: () => number },
): Promise<{ description: StatementDescription; timedOut: boolean }> {
  const deadline = options.now() + options.timeoutMs;
  for (;;) {
    const description = await describeStatement(client, id, 10);
    if (ENDED.has(description.status)) return { description, timedOut: false };
    if (options.now() > deadline) return { description, timedOut: true };
  }
}
