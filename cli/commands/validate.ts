import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JobValidationError } from '../../src/errors.ts';
import { type Job, loadJobFile } from '../../src/job/job.ts';
import { stagingOverlapIssues } from '../../src/job/jobAreas.ts';
import { resolveJob } from '../resolveJob.ts';
import { forTerminal } from '../terminalText.ts';

const USAGE = 'usage: redshift-transfer validate <job file or name in jobs/> [--jobs-dir DIR]\n';

/** `validate <job>`: checks a job document offline; prints `OK <kind> <name>` or every problem by path. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'jobs-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [ref, ...extra] = positionals;
  if (ref === undefined || extra.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  try {
    const jobsDir = values['jobs-dir'] ?? 'jobs';
    const { job, file } = await resolveJob(ref, jobsDir);
    const issues = stagingOverlapIssues(job, await otherJobs(jobsDir, file));
    if (issues.length > 0) throw new JobValidationError(`Invalid job file ${file}`, issues);
    process.stdout.write(forTerminal(`OK ${job.kind} ${job.name} (${file})\n`));
    return 0;
  } catch (error) {
    if (!(error instanceof JobValidationError)) throw error;
    process.stderr.write(`${forTerminal(error.message)}\n`);
    return 1;
  }
}

/** The valid jobs of `jobsDir` other than `file` (invalid ones are reported when validated). */
async function otherJobs(jobsDir: string, file: string): Promise<{ job: Job; file: string }[]> {
  const names = await readdir(jobsDir).catch(() => [] as string[]);
  const out: { job: Job; file: string }[] = [];
  for (const name of names.filter((n) => /\.(ya?ml|json)$/i.test(n)).sort()) {
    const path = join(jobsDir, name);
    if (resolve(path) === resolve(file)) continue;
    try {
      out.push({ job: await loadJobFile(path), file: path });
    } catch {}
  }
  return out;
}
