import type { LoadJob } from '../job/loadJob.ts';
import type { CreatedObject } from './s3Events.ts';

/** The load jobs whose `trigger` rule (bucket, key prefix, key suffix) the object matches. */
export function matchJobs(object: CreatedObject, jobs: readonly LoadJob[]): LoadJob[] {
  return jobs.filter((job) => {
    const rule = job.trigger;
    if (rule === undefined || rule.bucket !== object.bucket) return false;
    if (rule.prefix !== undefined && !object.key.startsWith(rule.prefix)) return false;
    if (rule.suffix !== undefined && !object.key.endsWith(rule.suffix)) return false;
    // Folder placeholders ("key/") are never data.
    return !object.key.endsWith('/');
  });
}
