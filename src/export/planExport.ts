import { JobValidationError } from '../errors.ts';
import { type ExportJob, withSlash } from '../job/exportJob.ts';
import { type Job, loadJobByName, parseJob } from '../job/job.ts';
import { deriveRunId, type ExecutionInput, utcDate } from '../job/runContext.ts';
import { resolveTemplate, templateValues } from '../job/templates.ts';
import type { ExportRun } from './exportRun.ts';

export interface PlanExportInput {
  input: ExecutionInput;
  /** `$$.Execution.Name`: part of the derived run id. */
  executionName?: string | undefined;
  /** Where `jobName` is looked up (default `jobs`). */
  jobsDir?: string | undefined;
  now: number;
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
}: PlanExportInput): Promise<ExportRun> {
  const job: Job =
    input.jobName !== undefined
      ? await loadJobByName(input.jobName, jobsDir)
      : parseJob(input.job, 'job document');
  if (job.kind !== 'export') {
    throw new JobValidationError(
      `Job "${job.name}" is a ${job.kind} job; start the ${job.kind} state machine instead.`,
    );
  }
  const runDate = input.runDate ?? utcDate(new Date(now));
  const runId = input.runId ?? deriveRunId({ jobName: job.name, runDate, executionName });
  const values = templateValues({ runDate, runId, jobName: job.name });
  const staging = withSlash(resolveTemplate(job.staging, values, 'staging'));
  const destination = withSlash(resolveTemplate(job.destination, values, 'destination'));
  const resolved: ExportJob = { ...job, staging, destination };
  return { runId, runDate, jobName: job.name, job: resolved, staging, destination, plannedAt: now };
}
