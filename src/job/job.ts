import { access, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { JobValidationError } from '../errors.ts';
import { formatIssues } from '../validation/formatIssues.ts';
import { jobNameSchema, nulIssues } from './common.ts';
import { exportJobSchema } from './exportJob.ts';
import { loadJobSchema } from './loadJob.ts';
import { transferJobSchema } from './transferJob.ts';

/**
 * Every kind of job document, told apart by `kind`. Each kind adds itself here with one line.
 */
export const jobSchema = z.discriminatedUnion('kind', [exportJobSchema, loadJobSchema, transferJobSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'expected "kind" to be one of: export, load, transfer' : undefined,
});
export type Job = z.output<typeof jobSchema>;
export type JobKind = Job['kind'];

/**
 * Validates a job document (already parsed from YAML/JSON). Throws JobValidationError listing
 * every problem by path; `source` (a file name) is named in the message.
 */
export function parseJob(document: unknown, source = 'job document'): Job {
  const nul = nulIssues(document);
  const parsed = jobSchema.safeParse(document);
  if (!parsed.success || nul.length > 0) {
    const issues = parsed.success ? [] : formatIssues(parsed.error.issues);
    throw new JobValidationError(`Invalid ${source}`, [...nul, ...issues.filter((i) => !nul.includes(i))]);
  }
  return parsed.data;
}

/**
 * Validates a document derived from a job (e.g. a transfer's export and load halves) with
 * `schema`; a problem is a JobValidationError naming `source` and the field, never a raw ZodError.
 */
export function parseDerived<S extends z.ZodType>(schema: S, document: unknown, source: string): z.output<S> {
  const parsed = schema.safeParse(document);
  if (!parsed.success) throw new JobValidationError(`Invalid ${source}`, formatIssues(parsed.error.issues));
  return parsed.data;
}

/** Parses YAML or JSON text (JSON is YAML) into a job; syntax errors name the line and column. */
export function parseJobText(text: string, source = 'job document'): Job {
  return parseJobDocument(text, source).job;
}

/** The job and the document as written (what a state machine receives and validates again). */
export function parseJobDocument(text: string, source = 'job document'): { job: Job; document: unknown } {
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

/** Reads and validates a job file (`.yml`, `.yaml` or `.json`). */
export async function loadJobFile(path: string): Promise<Job> {
  return (await readJobFile(path)).job;
}

/** Reads a job file once: the validated job and the document as written. */
export async function readJobFile(path: string): Promise<{ job: Job; document: unknown }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new JobValidationError(`Cannot read job file ${path}: ${(error as Error).message}`, [], {
      cause: error,
    });
  }
  const { job, document } = parseJobDocument(text, `job file ${path}`);
  const stem = basename(path, extname(path));
  if (job.name !== stem) {
    throw new JobValidationError(`Invalid job file ${path}`, [
      `name: "${job.name}" must match the file name "${stem}" so that schedules can find it by name`,
    ]);
  }
  return { job, document };
}

/** Finds `jobs/<name>.yml` (or `.yaml`, `.json`) in `jobsDir` and loads it. */
export async function loadJobByName(name: string, jobsDir = 'jobs'): Promise<Job> {
  return loadJobFile(await findJobFile(name, jobsDir));
}

/** The file of the job named `name` in `jobsDir`: `<name>.yml`, `.yaml` or `.json`, first found. */
export async function findJobFile(name: string, jobsDir = 'jobs'): Promise<string> {
  const valid = jobNameSchema.safeParse(name);
  if (!valid.success) {
    throw new JobValidationError(
      `Invalid job name ${JSON.stringify(name)}`,
      formatIssues(valid.error.issues),
    );
  }
  for (const ext of ['.yml', '.yaml', '.json']) {
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
