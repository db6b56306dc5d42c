import { readEnv } from '../src/config/env.ts';
import { type ResolvedJob, resolveJob as resolveJobRef } from '../src/job/resolveJob.ts';

export type { ResolvedJob } from '../src/job/resolveJob.ts';

/**
 * Where the CLI looks job names up: `--jobs-dir`, else RT_JOBS_DIR (the folder the Lambdas use),
 * else `jobs`; the default and the check of the variable are the env schema's.
 */
export function jobsDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? readEnv({ RT_JOBS_DIR: env.RT_JOBS_DIR }).RT_JOBS_DIR;
}

/** A CLI job reference is a path (a `/` or a `.yml`/`.yaml`/`.json` ending) or a name in `jobs/`. */
const isPath = (ref: string) => /\.(ya?ml|json)$/i.test(ref) || ref.includes('/');

/**
 * Finds, reads (once) and validates the job a command names, through the same resolveJob the
 * state machines' plan tasks use; every problem is reported by path.
 */
export async function resolveJob(ref: string, jobsDir = 'jobs'): Promise<ResolvedJob & { file: string }> {
  const resolved = await resolveJobRef(isPath(ref) ? { file: ref } : { jobName: ref }, undefined, {
    jobsDir,
  });
  return { ...resolved, file: resolved.file ?? ref };
}
