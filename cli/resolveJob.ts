import { type ResolvedJob, resolveJob as resolveJobRef } from '../src/job/resolveJob.ts';

export type { ResolvedJob } from '../src/job/resolveJob.ts';

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
