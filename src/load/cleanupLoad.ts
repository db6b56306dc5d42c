import type { Logger } from '@aws-lambda-powertools/logger';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { S3Client } from '@aws-sdk/client-s3';
import { deleteKeys, listKeys } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import { bestEffort } from '../bestEffort.ts';
import { cancelIfRunning } from '../dataapi/cancelIfRunning.ts';

export interface CleanupLoadInput {
  /** `s3://bucket/prefix/<job>/<runId>/`; nothing is removed outside it. */
  stagingPrefix?: string | undefined;
  keepStaging?: boolean | undefined;
  statementId?: string | undefined;
  /** The run's items and Map results in the state bucket (`load-runs/<job>/<runId>/`). */
  state?: { bucket: string; prefix: string } | undefined;
}

export interface CleanupLoadReport {
  cancelledStatement: boolean;
  removedStaging: number;
  removedState: number;
  /** What could not be done; cleanup never throws over the run's own error. */
  problems: string[];
}

/**
 * After a load (succeeded or failed): cancel the statement if it still runs (a failed run's
 * transaction then rolls back), and remove the run's staging prefix unless keepStaging. The
 * target table is never touched here: the transaction already committed everything or nothing.
 */
export async function cleanupLoad(
  clients: { s3: S3Client; redshiftData: RedshiftDataClient },
  input: CleanupLoadInput,
  logger?: Logger,
): Promise<CleanupLoadReport> {
  const report: CleanupLoadReport = {
    cancelledStatement: false,
    removedStaging: 0,
    removedState: 0,
    problems: [],
  };
  const attempt = bestEffort(report.problems, logger);
  const statementId = input.statementId;
  if (statementId !== undefined) {
    await attempt('cancel the statement', async () => {
      report.cancelledStatement = await cancelIfRunning(clients.redshiftData, statementId);
    });
  }
  const prefix = input.stagingPrefix;
  if (prefix !== undefined && !input.keepStaging && /^s3:\/\/[^/]+\/.+\/$/.test(prefix)) {
    await attempt('remove the staging prefix', async () => {
      const { bucket, key } = parseS3Uri(prefix);
      report.removedStaging = await deleteKeys(clients.s3, bucket, await listKeys(clients.s3, bucket, key));
    });
  }
  const state = input.state;
  if (state !== undefined && /^load-runs\/[^/]+\/[^/]+\/$/.test(state.prefix)) {
    await attempt('remove the run state', async () => {
      report.removedState = await deleteKeys(
        clients.s3,
        state.bucket,
        await listKeys(clients.s3, state.bucket, state.prefix),
      );
    });
  }
  return report;
}
