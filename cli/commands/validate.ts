import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { JobValidationError } from '../../src/errors.ts';
import type { Job } from '../../src/job/job.ts';
import { stagingOverlapIssues } from '../../src/job/jobAreas.ts';
import { listJobFiles } from '../../src/job/jobFiles.ts';
import { inferFromSample } from '../../src/load/inferSample.ts';
import { DEFAULT_SAMPLE_RECORDS } from '../../src/load/inferTypes.ts';
import { jobsDirOf, resolveJob } from '../resolveJob.ts';
import { forTerminal } from '../terminalText.ts';

const USAGE =
  'usage: redshift-transfer validate <job file or name in jobs/> [--jobs-dir DIR]\n' +
  '       redshift-transfer validate <load job> --infer --sample FILE [--records N]\n' +
  '         (prints the createTable columns inferred from the first N records of FILE, a local copy of a source object)\n';

/** `validate <job>`: checks a job document offline; prints `OK <kind> <name>` or every problem by path. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'jobs-dir': { type: 'string' },
      infer: { type: 'boolean' },
      sample: { type: 'string' },
      records: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
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
    const jobsDir = jobsDirOf(values['jobs-dir']);
    const { job, file } = await resolveJob(ref, jobsDir);
    const issues = stagingOverlapIssues(job, await otherJobs(jobsDir, file));
    if (issues.length > 0) throw new JobValidationError(`Invalid job file ${file}`, issues);
    process.stdout.write(forTerminal(`OK ${job.kind} ${job.name} (${file})\n`));
    if (values.infer) return await infer(job, values.sample, values.records);
    return 0;
  } catch (error) {
    if (!(error instanceof JobValidationError)) throw error;
    process.stderr.write(`${forTerminal(error.message)}\n`);
    return 1;
  }
}

/** `--infer`: the createTable columns of a CSV/JSON sample file, as YAML to paste into the job. */
async function infer(job: Job, sample: string | undefined, records: string | undefined): Promise<number> {
  const limit = records === undefined ? DEFAULT_SAMPLE_RECORDS : Number(records);
  if (job.kind !== 'load' || sample === undefined || !Number.isInteger(limit) || limit < 1) {
    process.stderr.write(
      `--infer needs a load job, --sample FILE (a local copy of one source object) and --records N >= 1\n${USAGE}`,
    );
    return 2;
  }
  const raw = createReadStream(sample);
  const text = (sample.endsWith('.gz') ? raw.pipe(createGunzip()) : raw).setEncoding('utf8');
  try {
    const columns = await inferFromSample(text, job, sample, limit);
    process.stdout.write(
      `# inferred from the first ${limit} record(s) of ${sample}\ncreateTable:\n  columns:\n`,
    );
    for (const c of columns)
      process.stdout.write(forTerminal(`    - { name: ${JSON.stringify(c.name)}, type: ${c.type} }\n`));
    return 0;
  } catch (error) {
    process.stderr.write(`${forTerminal((error as Error).message)}\n`);
    return 1;
  } finally {
    raw.destroy();
  }
}

/** The valid jobs of `jobsDir` other than `file` (invalid ones are reported when validated). */
async function otherJobs(jobsDir: string, file: string): Promise<{ job: Job; file: string }[]> {
  const out: { job: Job; file: string }[] = [];
  for (const path of await listJobFiles(jobsDir)) {
    if (resolve(path) === resolve(file)) continue;
    try {
      // Every name here ends in .yml/.yaml/.json, so resolveJob reads it as a file, never by name.
      out.push({ job: (await resolveJob(path, jobsDir)).job, file: path });
    } catch {}
  }
  return out;
}
