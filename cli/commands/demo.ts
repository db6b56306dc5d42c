import { parseArgs } from 'node:util';
import { DEFAULT_SCALE, seedTickit } from '../../local/seed/seedTickit.ts';
import { ConfigError } from '../../src/errors.ts';
import { openLocalSfn } from '../localSfn.ts';
import { formatDuration } from '../progress.ts';
import { resolveJob } from '../resolveJob.ts';
import { runJob } from '../runJob.ts';

const USAGE = `usage: redshift-transfer demo [--scale N] [--job NAME] [--wait-scale N]
  Starts the local stack, seeds the TICKIT sample (scale ${DEFAULT_SCALE} = 1,000,000 sales), runs
  jobs/nightly-sales-export.yml through the local Step Functions exactly as "run --local" does,
  prints the summary and where the files are, and stops everything.
`;

const EXAMPLE_JOB = 'nightly-sales-export';

/** `demo` (what `npm start` runs). */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' },
      job: { type: 'string' },
      'wait-scale': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const scale = values.scale === undefined ? DEFAULT_SCALE : Number(values.scale);
  if (!(scale > 0)) throw new ConfigError(`--scale must be a positive number, got "${values.scale}"`);
  const waitScale = values['wait-scale'] === undefined ? 0.1 : Number(values['wait-scale']);
  if (!(waitScale >= 0))
    throw new ConfigError(`--wait-scale must be a number >= 0, got "${values['wait-scale']}"`);
  const t0 = performance.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);

  const { document, job } = await resolveJob(values.job ?? EXAMPLE_JOB);
  // The demo always brings up its own stack, even when RT_ENDPOINT_SFN points at another one.
  const { RT_ENDPOINT_SFN: _ignored, ...env } = process.env;
  const target = await openLocalSfn({ env, waitScale, log: say });
  const stop = () => {
    void target.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  try {
    const stack = target.stack;
    if (stack === undefined) throw new ConfigError('the demo needs a local stack of its own');
    say(`local stack up in ${formatDuration(performance.now() - t0)}: ${JSON.stringify(stack.endpoints)}`);
    say(`seeding the TICKIT sample (scale ${scale})...`);
    const seeded = await seedTickit(stack.endpoints.redshiftData, { scale, database: stack.database });
    say(`seeded ${JSON.stringify(seeded.sizes)} in ${formatDuration(seeded.ms)}`);
    say(`running job ${job.name} on ${target.stateMachineArn(job.kind)}`);
    const { exitCode, followed } = await runJob({
      client: target.client,
      stateMachineArn: target.stateMachineArn(job.kind),
      document,
      jobName: job.name,
      out: process.stdout,
    });
    if (exitCode === 0) {
      const output = JSON.parse(followed.description.output ?? '{}') as { result?: { destination?: string } };
      say('');
      say(`the exported files are in the local S3 under ${stack.dataDir}/s3 (bucket/key paths);`);
      say(`browse them with the AWS CLI: npx --no-install redshift-transfer local start, then`);
      say(
        `  aws --endpoint-url <s3 endpoint> s3 ls ${output.result?.destination ?? 's3://rt-exports/'} --recursive`,
      );
    }
    say(`demo finished in ${formatDuration(performance.now() - t0)} (wall time)`);
    return exitCode;
  } finally {
    process.removeListener('SIGINT', stop);
    await target.stop();
  }
}
