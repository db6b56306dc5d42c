import { createSfnClient } from '../../src/aws/clients.ts';
import { ConfigError, JobValidationError } from '../../src/errors.ts';
import { openLocalSfn } from '../localSfn.ts';
import { parseCommandArgs } from '../parseCommandArgs.ts';
import { jobsDirOf, resolveJob } from '../resolveJob.ts';
import { findDeployedStateMachine, redriveJob, runJob } from '../runJob.ts';
import { forTerminal } from '../terminalText.ts';

const USAGE = `usage: redshift-transfer run <job> (--local | --stage <stage> [--state-machine-arn ARN]) [options]
       redshift-transfer run --redrive <execution-arn> (--local | --stage <stage>) [--region <region>]
  --redrive <arn>       restart a FAILED, TIMED_OUT or ABORTED execution from the step that did not
                        succeed (same ARN and input; the steps that succeeded are not run again);
                        --local needs the stack that ran it (local start, or RT_ENDPOINT_SFN)
  <job>                 a .yml/.json job file, or the name of one in jobs/
  --local               run on the local stack (RT_ENDPOINT_SFN, or one started for this run)
  --stage <stage>       run on AWS, on the stage deployed with npm run deploy -- --stage <stage>
  --state-machine-arn   the state machine to start (default: found by name for the stage)
  --run-date YYYY-MM-DD the run date (default: today, UTC)
  --name <name>         the execution name (default: <job>-<timestamp>)
  --region <region>     default: AWS_REGION or us-east-1
  --wait-scale <n>      local only: multiply Wait states by n (default 0.1)
  --data-dir <dir>      local only: where a stack started for this run keeps its data (default .local)
  --jobs-dir <dir>      where job names are looked up (default RT_JOBS_DIR, else jobs)
`;

const options = {
  local: { type: 'boolean' },
  redrive: { type: 'string' },
  stage: { type: 'string' },
  'state-machine-arn': { type: 'string' },
  'run-date': { type: 'string' },
  name: { type: 'string' },
  region: { type: 'string' },
  'wait-scale': { type: 'string' },
  'data-dir': { type: 'string' },
  'jobs-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface RunArgs {
  /** The job; empty with --redrive. */
  ref: string;
  /** The execution ARN to redrive instead of starting a run. */
  redrive?: string | undefined;
  local: boolean;
  stage?: string | undefined;
  stateMachineArn?: string | undefined;
  runDate?: string | undefined;
  name?: string | undefined;
  region?: string | undefined;
  waitScale?: number | undefined;
  dataDir?: string | undefined;
  jobsDir: string;
}

/** Parses `run` arguments; a wrong combination is a ConfigError that says what to give instead. */
export function parseRunArgs(argv: string[]): RunArgs | 'help' {
  const { values, positionals } = parseCommandArgs(argv, options, USAGE);
  if (values.help) return 'help';
  if (Boolean(values.local) === (values.stage !== undefined)) {
    throw new ConfigError(`give either --local or --stage <stage>\n${USAGE}`);
  }
  if (values.redrive !== undefined) {
    const startOnly = (['run-date', 'name', 'state-machine-arn', 'wait-scale', 'data-dir'] as const).filter(
      (key) => values[key] !== undefined,
    );
    if (positionals.length > 0 || startOnly.length > 0) {
      throw new ConfigError(
        `--redrive takes the execution ARN alone (it keeps its job, input and name); drop ${[...positionals, ...startOnly.map((k) => `--${k}`)].join(', ')}\n${USAGE}`,
      );
    }
    if (!values.redrive.startsWith('arn:') || !values.redrive.includes(':execution:')) {
      throw new ConfigError(
        `--redrive wants an execution ARN (arn:aws:states:<region>:<account>:execution:<machine>:<name>), got "${values.redrive}"`,
      );
    }
    return {
      ref: '',
      redrive: values.redrive,
      local: Boolean(values.local),
      stage: values.stage,
      region: values.region,
      jobsDir: jobsDirOf(values['jobs-dir']),
    };
  }
  const [ref, ...extra] = positionals;
  if (ref === undefined || extra.length > 0) throw new ConfigError(`give exactly one job\n${USAGE}`);
  const runDate = values['run-date'];
  if (runDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(runDate)) {
    throw new ConfigError(`--run-date must look like 2024-03-01, got "${runDate}"`);
  }
  const waitScale = values['wait-scale'] === undefined ? undefined : Number(values['wait-scale']);
  if (waitScale !== undefined && !(waitScale >= 0))
    throw new ConfigError('--wait-scale must be a number >= 0');
  return {
    ref,
    local: Boolean(values.local),
    stage: values.stage,
    stateMachineArn: values['state-machine-arn'],
    runDate,
    name: values.name,
    region: values.region,
    waitScale,
    dataDir: values['data-dir'],
    jobsDir: jobsDirOf(values['jobs-dir']),
  };
}

/** `run <job> --local | --stage <s>`: validate, start, follow, summarise; exit 0 when it succeeded. */
export async function run(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.redrive !== undefined) return redrive(args, args.redrive);
  let resolved: Awaited<ReturnType<typeof resolveJob>>;
  try {
    resolved = await resolveJob(args.ref, args.jobsDir);
  } catch (error) {
    if (!(error instanceof JobValidationError)) throw error;
    process.stderr.write(`${forTerminal(error.message)}\n`);
    return 1;
  }
  const common = {
    document: resolved.document,
    jobName: resolved.job.name,
    runDate: args.runDate,
    name: args.name,
    out: process.stdout,
  };
  if (args.local) {
    const target = await openLocalSfn({
      ...(args.waitScale !== undefined ? { waitScale: args.waitScale } : {}),
      ...(args.dataDir !== undefined ? { dataDir: args.dataDir } : {}),
      env: { ...process.env, ...(args.region ? { AWS_REGION: args.region } : {}) },
      log: (line) => process.stderr.write(`${line}\n`),
    });
    try {
      const arn = args.stateMachineArn ?? target.stateMachineArn(resolved.job.kind);
      return (await runJob({ client: target.client, stateMachineArn: arn, ...common })).exitCode;
    } finally {
      await target.stop();
    }
  }
  const region = args.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const client = createSfnClient({ region });
  try {
    const arn =
      args.stateMachineArn ?? (await findDeployedStateMachine(client, args.stage ?? '', resolved.job.kind));
    return (await runJob({ client, stateMachineArn: arn, ...common })).exitCode;
  } finally {
    client.destroy();
  }
}

async function redrive(args: RunArgs, executionArn: string): Promise<number> {
  // The execution lives on the stack that ran it: a running `local start` or RT_ENDPOINT_SFN
  // (a stack started for this command would not know it, and says ExecutionDoesNotExist).
  const region = args.region ?? executionArn.split(':')[3] ?? process.env.AWS_REGION ?? 'us-east-1';
  if (args.local) {
    const target = await openLocalSfn({
      env: { ...process.env, AWS_REGION: region },
      log: (line) => process.stderr.write(`${line}\n`),
    });
    try {
      return (await redriveJob({ client: target.client, executionArn, out: process.stdout })).exitCode;
    } finally {
      await target.stop();
    }
  }
  const client = createSfnClient({ region });
  try {
    return (await redriveJob({ client, executionArn, out: process.stdout })).exitCode;
  } finally {
    client.destroy();
  }
}
