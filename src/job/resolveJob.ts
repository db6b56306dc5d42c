import { access, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { JobValidationError } from '../errors.ts';
import { formatIssues } from '../validation/formatIssues.ts';
import { jobNameSchema } from './common.ts';
import { type Job, type JobKind, parseJob } from './job.ts';
import { JOB_FILE_ENDINGS } from './jobFiles.ts';

/** Where a job comes from: a document, a name in the jobs folder, or a file (one of them). */
export interface JobRef {
  /** The job document itself (an execution's `job`). */
  job?: unknown;
  /** `jobs/<jobName>.yml|yaml|json` in `jobsDir` (an execution's `jobName`, a CLI name). */
  jobName?: string | undefined;
  /** A job file by path (the CLI, deploy discovery, the S3-event trigger). */
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
 * The one way in for a job, whoever starts it (the CLI, the plan tasks, the S3-event trigger,
 * deploy discovery): find it, read and parse it once, validate it, and check its kind when the
 * caller runs one kind only. Every problem is a JobValidationError naming the file or field and
 * what to do. The steps below are private so that no caller reads a job another way.
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

/** Reads a job file once: the validated job and the document as written. */
async function readJobFile(path: string): Promise<{ job: Job; document: unknown }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new JobValidationError(`Cannot read job file ${path}: ${(error as Error).message}`, [], {
      cause: error,
    });
  }
  const { job, document } = parseJobText(text, `job file ${path}`);
  const stem = basename(path, extname(path));
  if (job.name !== stem) {
    throw new JobValidationError(`Invalid job file ${path}`, [
      `name: "${job.name}" must match the file name "${stem}" so that schedules can find it by name`,
    ]);
  }
  return { job, document };
}

/** YAML or JSON text (JSON is YAML) -> the job and the document; syntax errors name line and column. */
function parseJobText(text: string, source: string): { job: Job; document: unknown } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new JobValidationError(
      `Cannot read ${source}`,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos === undefined ? '' : `line ${pos.line}, column ${pos.col}: `;
        return `${where}${e.message.split('\n')[0] ?? e.message}`;
      }),
    );
  }
  const document: unknown = doc.toJS();
  return { job: parseJob(document, source), document };
}

/** The file of the job named `name` in `jobsDir`: `<name>.yml`, `.yaml` or `.json`, first found. */
async function findJobFile(name: string, jobsDir = 'jobs'): Promise<string> {
  const valid = jobNameSchema.safeParse(name);
  if (!valid.success) {
    throw new JobValidationError(
      `Invalid job name ${JSON.stringify(name)}`,
      formatIssues(valid.error.issues),
    );
  }
  for (const ext of JOB_FILE_ENDINGS) {
    const path = join(jobsDir, `${name}${ext}`);
    try {
      await access(path);
      return path;
    } catch {}
  }
  throw new JobValidationError(
    `No job named "${name}" in ${jobsDir}/ (looked for ${name}.yml, ${name}.yaml, ${name}.json)`,
  );
}
