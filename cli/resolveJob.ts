import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { JobValidationError } from '../src/errors.ts';
import { type Job, loadJobFile } from '../src/job/job.ts';

export interface ResolvedJob {
  job: Job;
  /** The document as written (what the state machine receives: it validates it again). */
  document: unknown;
  file: string;
}

/** A job reference: a path to a `.yml`/`.yaml`/`.json` file, or the name of a file in `jobs/`. */
export async function resolveJobFile(ref: string, jobsDir = 'jobs'): Promise<string> {
  if (/\.(ya?ml|json)$/i.test(ref) || ref.includes('/')) return ref;
  for (const ext of ['.yml', '.yaml', '.json']) {
    const file = join(jobsDir, `${ref}${ext}`);
    try {
      await access(file);
      return file;
    } catch {}
  }
  throw new JobValidationError(
    `No job named "${ref}" in ${jobsDir}/ (looked for ${ref}.yml, ${ref}.yaml, ${ref}.json); give a path or a name in ${jobsDir}/`,
  );
}

/** Finds, reads and validates a job document; every problem is reported by path. */
export async function resolveJob(ref: string, jobsDir = 'jobs'): Promise<ResolvedJob> {
  const file = await resolveJobFile(ref, jobsDir);
  const job = await loadJobFile(file);
  const document: unknown = parse(await readFile(file, 'utf8'));
  return { job, document, file };
}
