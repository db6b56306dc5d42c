import type { S3Client } from '@aws-sdk/client-s3';
import { JobValidationError } from '../errors.ts';
import { type ExportJob, withSlash } from '../job/exportJob.ts';
import { resolveJob } from '../job/resolveJob.ts';
import { deriveRunId, type ExecutionInput, utcDate } from '../job/runContext.ts';
import { resolveTemplate, templateValues } from '../job/templates.ts';
import type { ExportRun } from './exportRun.ts';
import { checkDestination } from './publication.ts';

export interface PlanExportInput {
  input: ExecutionInput;
  /** `$$.Execution.Name`: part of the derived run id. */
  executionName?: string | undefined;
  /** Where `jobName` is looked up (default `jobs`). */
  jobsDir?: string | undefined;
  now: number;
  /** When given, the destination is checked against `onExisting` before anything runs. */
  s3?: S3Client | undefined;
}

/**
 * Validates the job, fixes the run id and date, and resolves the templated S3 URIs once, so
 * every later task (and a retry of any of them) works on the same names.
 */
export async function planExport({
  input,
  executionName,
  jobsDir,
  now,
  s3,
}: PlanExportInput): Promise<ExportRun> {
  const { job } = await resolveJob(input, 'export', { jobsDir });
  const runDate = input.runDate ?? utcDate(new Date(now));
  const runId = input.runId ?? deriveRunId({ jobName: job.name, runDate, executionName });
  const values = templateValues({ runDate, runId, jobName: job.name });
  const stagingRoot = withSlash(resolveTemplate(job.staging, values, 'staging'));
  const staging = runScopedStaging(job.staging, stagingRoot, job.name, runId);
  const base = withSlash(resolveTemplate(job.destination, values, 'destination'));
  const destination = job.onExisting === 'newRunFolder' ? `${base}${runId}/` : base;
  if (stagingRoot.startsWith(base) || base.startsWith(stagingRoot)) {
    throw new JobValidationError('Invalid job document', [
      `staging: ${stagingRoot} and destination ${base} overlap once resolved; give staging its own prefix`,
    ]);
  }
  const resolved: ExportJob = { ...job, staging, destination };
  const run: ExportRun = {
    runId,
    runDate,
    jobName: job.name,
    job: resolved,
    staging,
    destination,
    plannedAt: now,
  };
  if (s3 !== undefined) {
    await checkDestination(s3, { runId, jobName: job.name, destination, onExisting: job.onExisting });
  }
  return run;
}

/**
 * Staging is always run-scoped, whatever the job says, because cleanup empties it: a prefix with a
 * `{runId}` folder is used as it is, any other gets `<job>/<runId>/` appended (so `s3://bucket/`
 * becomes `s3://bucket/<job>/<runId>/`, never the bucket root).
 */
export function runScopedStaging(template: string, resolved: string, jobName: string, runId: string): string {
  return /\/\{runId\}(\/|$)/.test(template) ? resolved : `${resolved}${jobName}/${runId}/`;
}
