import { type ExportJob, withSlash } from '../job/exportJob.ts';
import { resolveJob } from '../job/resolveJob.ts';
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
  const { job } = await resolveJob(input, 'export', { jobsDir });
  const runDate = input.runDate ?? utcDate(new Date(now));
  const runId = input.runId ?? deriveRunId({ jobName: job.name, runDate, executionName });
  const values = templateValues({ runDate, runId, jobName: job.name });
  const staging = withSlash(resolveTemplate(job.staging, values, 'staging'));
  const destination = withSlash(resolveTemplate(job.destination, values, 'destination'));
  const resolved: ExportJob = { ...job, staging, destination };
  return { runId, runDate, jobName: job.name, job: resolved, staging, destination, plannedAt: now };
}
