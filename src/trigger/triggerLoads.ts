import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TransientError } from '../errors.ts';
import { listJobFiles } from '../job/jobFiles.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { resolveJob } from '../job/resolveJob.ts';
import { executionName } from './executionName.ts';
import { matchJobs } from './matchJobs.ts';
import { type CreatedObject, createdObjects } from './s3Events.ts';

export interface TriggerOutcome {
  job: string;
  bucket: string;
  key: string;
  executionName: string;
  /** `started`, or `duplicate` when an execution of that name exists already (a re-delivery). */
  status: 'started' | 'duplicate';
  executionArn?: string | undefined;
}

export interface TriggerReport {
  outcomes: TriggerOutcome[];
  /** Objects no job's trigger rule matched. */
  unmatched: { bucket: string; key: string }[];
}

/** The load jobs with a `trigger` rule among `<dir>/*.yml|yaml|json`. */
export async function triggeredJobs(dir: string): Promise<LoadJob[]> {
  const jobs: LoadJob[] = [];
  for (const file of await listJobFiles(dir, { required: true })) {
    const { job } = await resolveJob({ file });
    if (job.kind === 'load' && job.trigger !== undefined) jobs.push(job);
  }
  return jobs;
}

/** The execution input that loads exactly this object with this job. */
export function executionInput(job: LoadJob, object: CreatedObject, name: string) {
  const uri = `s3://${object.bucket}/${object.key}`;
  return {
    job: {
      ...job,
      source: {
        objects: [
          {
            uri,
            ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
            ...(object.etag === undefined ? {} : { etag: object.etag.replace(/"/g, '') }),
          },
        ],
      },
    },
    runId: name,
    ...(object.time === undefined ? {} : { runDate: object.time.slice(0, 10) }),
  };
}

/**
 * Starts one load execution per (matching job, created object), named from the object version
 * so that a re-delivered event starts nothing: ExecutionAlreadyExists counts as success.
 */
export async function triggerLoads(options: {
  sfn: SFNClient;
  stateMachineArn: string;
  jobs: readonly LoadJob[];
  event: unknown;
}): Promise<TriggerReport> {
  const report: TriggerReport = { outcomes: [], unmatched: [] };
  for (const object of createdObjects(options.event)) {
    const jobs = matchJobs(object, options.jobs);
    if (jobs.length === 0) report.unmatched.push({ bucket: object.bucket, key: object.key });
    for (const job of jobs) {
      const name = executionName(job.name, object);
      const outcome: TriggerOutcome = {
        job: job.name,
        bucket: object.bucket,
        key: object.key,
        executionName: name,
        status: 'started',
      };
      try {
        const out = await options.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: options.stateMachineArn,
            name,
            input: JSON.stringify(executionInput(job, object, name)),
          }),
        );
        outcome.executionArn = out.executionArn;
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
          outcome.status = 'duplicate';
        } else {
          const status =
            (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
          if (status >= 500 || (error as Error).name === 'ThrottlingException') {
            throw new TransientError(
              `StartExecution for ${object.key} failed (${(error as Error).name}); retrying.`,
              {
                cause: error,
              },
            );
          }
          throw error;
        }
      }
      report.outcomes.push(outcome);
    }
  }
  return report;
}
