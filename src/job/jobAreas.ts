import type { Job } from './job.ts';

/**
 * The S3 areas a job owns, for checks across jobs (`redshift-transfer validate` looks at every
 * job in jobs/): an export's destination and a load's source prefix are another job's data; a
 * staging prefix may be shared (each run writes under `<staging><job>/<runId>/`) but must not
 * overlap any of them, because staging is emptied.
 */
function fixedPrefix(uri: string): string {
  const brace = uri.indexOf('{');
  const fixed = brace === -1 ? uri : uri.slice(0, brace);
  return fixed.endsWith('/') || brace !== -1 ? fixed.slice(0, fixed.lastIndexOf('/') + 1) : `${fixed}/`;
}

function dataAreas(job: Job): { field: string; prefix: string }[] {
  if (job.kind === 'export') return [{ field: 'destination', prefix: fixedPrefix(job.destination) }];
  if (job.kind === 'load' && job.source !== undefined && 'prefix' in job.source) {
    return [{ field: 'source.prefix', prefix: fixedPrefix(job.source.prefix) }];
  }
  return [];
}

/** `staging: ...` issues of `job` whose staging overlaps the data area of one of `others`. */
export function stagingOverlapIssues(job: Job, others: readonly { job: Job; file: string }[]): string[] {
  const staging = fixedPrefix(job.staging);
  const issues: string[] = [];
  for (const other of others) {
    if (other.job.name === job.name) continue;
    for (const area of dataAreas(other.job)) {
      if (staging.startsWith(area.prefix) || area.prefix.startsWith(staging)) {
        issues.push(
          `staging: ${job.staging} overlaps the ${area.field} of job "${other.job.name}" (${other.file}); staging is emptied after each run, so give it a prefix of its own`,
        );
      }
    }
  }
  return issues;
}
