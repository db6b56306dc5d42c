import { parseArgs } from 'node:util';
import { JobValidationError } from '../../src/errors.ts';
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
    const { job, file } = await resolveJob(ref, values['jobs-dir'] ?? 'jobs');
    process.stdout.write(forTerminal(`OK ${job.kind} ${job.name} (${file})\n`));
    return 0;
  } catch (error) {
    if (!(error instanceof JobValidationError)) throw error;
    process.stderr.write(`${forTerminal(error.message)}\n`);
    return 1;
  }
}
