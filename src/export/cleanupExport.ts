import type { Logger } from '@aws-lambda-powertools/logger';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { S3Client } from '@aws-sdk/client-s3';
import { deleteKeys, listKeys } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import { bestEffort } from '../bestEffort.ts';
import { cancelIfRunning } from '../dataapi/cancelIfRunning.ts';
import { runStatePrefix } from './planParts.ts';
import { retractRun } from './publication.ts';

export interface CleanupInput {
  runId?: string | undefined;
  jobName?: string | undefined;
  staging?: string | undefined;
  destination?: string | undefined;
  keepStaging?: boolean | undefined;
  statementId?: string | undefined;
}

export interface CleanupReport {
  cancelledStatement: boolean;
  removedOutputs: number;
  removedStaging: number;
  removedState: number;
  /** What could not be done; cleanup never throws over the run's own error. */
  problems: string[];
}

/**
 * After a failure: cancel the UNLOAD if it still runs, remove this run's own unpublished parts
 * from the destination (never another run's, never a published manifest's: src/export/publication.ts)
 * and the run-scoped staging prefix.
 * Every step is attempted; failures are reported, never thrown.
 */
export async function cleanupExport(
  clients: { s3: S3Client; redshiftData: RedshiftDataClient },
  input: CleanupInput,
  options: { stateBucket?: string | undefined; logger?: Logger | undefined },
): Promise<CleanupReport> {
  const report: CleanupReport = {
    cancelledStatement: false,
    removedOutputs: 0,
    removedStaging: 0,
    removedState: 0,
    problems: [],
  };
  const attempt = bestEffort(report.problems, options.logger);
  const statementId = input.statementId;
  if (statementId !== undefined) {
    await attempt('cancel the statement', async () => {
      report.cancelledStatement = await cancelIfRunning(clients.redshiftData, statementId);
    });
  }
  const destination = input.destination;
  const runId = input.runId;
  if (destination !== undefined && runId !== undefined) {
    await attempt('remove partial output', async () => {
      report.removedOutputs = await retractRun(clients.s3, { runId, staging: input.staging, destination });
    });
  }
  const staging = input.staging;
  if (staging !== undefined && input.keepStaging !== true) {
    await attempt('remove staging', async () => {
      const s = parseS3Uri(staging);
      report.removedStaging = await deleteKeys(
        clients.s3,
        s.bucket,
        await listKeys(clients.s3, s.bucket, s.key),
      );
    });
  }
  const stateBucket = options.stateBucket;
  if (stateBucket !== undefined && input.jobName !== undefined && input.runId !== undefined) {
    const prefix = runStatePrefix(input.jobName, input.runId);
    await attempt('remove run state', async () => {
      report.removedState = await deleteKeys(
        clients.s3,
        stateBucket,
        await listKeys(clients.s3, stateBucket, prefix),
      );
    });
  }
  return report;
}
