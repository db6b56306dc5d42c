import { JobValidationError } from '../errors.ts';
import { findJobFile, type Job, type JobKind, parseJob, readJobFile } from './job.ts';

/** Where a job comes from: a document, a name in the jobs folder, or a file (one of them). */
export interface JobRef {
  /** The job document itself (an execution's `job`). */
  job?: unknown;
  /** `jobs/<jobName>.yml|yaml|json` in `jobsDir` (an execution's `jobName`, a CLI name). */
  jobName?: string | undefined;
  /** A job file by path (the CLI, deploy discovery). */
  file?: string | undefined;
}

export interface ResolveJobOptions {
  /** Where `jobName` is looked up (default `jobs`; RT_JOBS_DIR in the Lambdas). */
  jobsDir?: string | undefined;
}

/** A validated job of kind K, and the document as written (what a state machine receives). */
export interface ResolvedJob<K extends JobKind = JobKind> {
  job: Extract<Job, { kind: K }>;
  document: unknown;
  /** The file it was read from, when it came from one. */
  file?: string;
}

/**
 * The one way in for a job, whoever starts it (the CLI, the plan tasks, deploy discovery): find
 * it, read and parse it once, validate it, and check its kind when the caller runs one kind only.
 * Every problem is a JobValidationError naming the file or field and what to do.
 */
export async function resolveJob<K extends JobKind = JobKind>(
  ref: JobRef,
  kind?: K,
  options: ResolveJobOptions = {},
): Promise<ResolvedJob<K>> {
  let resolved: { job: Job; document: unknown; file?: string };
  if (ref.file !== undefined) {
    resolved = { ...(await readJobFile(ref.file)), file: ref.file };
  } else if (ref.jobName !== undefined) {
    const file = await findJobFile(ref.jobName, options.jobsDir);
    resolved = { ...(await readJobFile(file)), file };
  } else {
    resolved = { job: parseJob(ref.job, 'job document'), document: ref.job };
  }
  const { job } = resolved;
  if (kind !== undefined && job.kind !== kind) {
    throw new JobValidationError(
      `Job "${job.name}" is a ${job.kind} job; start the ${job.kind} state machine instead.`,
    );
  }
  return resolved as ResolvedJob<K>;
}
