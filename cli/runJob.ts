import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ConfigError } from '../src/errors.ts';
import { stateMachineName } from '../src/naming.ts';
import { type FollowResult, followExecution, type Output } from './followExecution.ts';
import { formatSummary } from './summary.ts';
import { forTerminal } from './terminalText.ts';

export interface RunJobOptions {
  client: SFNClient;
  stateMachineArn: string;
  /** The job document as written. */
  document: unknown;
  jobName: string;
  runDate?: string | undefined;
  /** Execution name; default `<job>-<UTC timestamp>`. The same name twice is refused, as on AWS. */
  name?: string | undefined;
  out: Output;
  intervalMs?: number;
  now?: Date;
}

/** `nightly-sales-export-20240301T020000Z`: unique per second, valid as an execution name. */
export function defaultExecutionName(jobName: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${jobName.slice(0, 80 - stamp.length - 1)}-${stamp}`;
}

/**
 * Starts an execution of the job and follows it to the end, printing progress and then the
 * summary (or the named error with its cause). Returns the exit code: 0 when it succeeded.
 */
export async function runJob(options: RunJobOptions): Promise<{ exitCode: number; followed: FollowResult }> {
  const name = options.name ?? defaultExecutionName(options.jobName, options.now ?? new Date());
  const input = { job: options.document, ...(options.runDate ? { runDate: options.runDate } : {}) };
  const started = await options.client
    .send(
      new StartExecutionCommand({
        stateMachineArn: options.stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    )
    .catch((error: unknown) => {
      if (error instanceof ExecutionAlreadyExists) {
        throw new ConfigError(
          `An execution named "${name}" already exists (${error.message}); names are unique for 90 days: pass another --name, or none for a fresh one`,
        );
      }
      throw error;
    });
  const executionArn = started.executionArn ?? '';
  options.out.write(`started ${executionArn}\n`);
  return followToSummary(options, executionArn);
}

export interface RedriveOptions {
  client: SFNClient;
  executionArn: string;
  out: Output;
  intervalMs?: number;
}

/**
 * `run --redrive <execution>`: RedriveExecution (a failed, timed-out or aborted Standard execution
 * continues from the step that did not succeed, same ARN and input), then follows it like a run.
 */
export async function redriveJob(
  options: RedriveOptions,
): Promise<{ exitCode: number; followed: FollowResult }> {
  const { executionArn } = options;
  await options.client.send(new RedriveExecutionCommand({ executionArn })).catch((error: unknown) => {
    if (error instanceof ExecutionNotRedrivable) {
      throw new ConfigError(
        `Execution ${executionArn} cannot be redriven (${error.message}): only a FAILED, TIMED_OUT or ABORTED execution can; start a new run instead`,
      );
    }
    if (error instanceof ExecutionDoesNotExist) {
      throw new ConfigError(
        `No execution ${executionArn} here (${error.message}): give the full execution ARN, on the stack (--local or --stage) that ran it`,
      );
    }
    throw error;
  });
  options.out.write(`redriving ${executionArn}\n`);
  return followToSummary(options, executionArn);
}

async function followToSummary(
  options: { client: SFNClient; out: Output; intervalMs?: number | undefined },
  executionArn: string,
): Promise<{ exitCode: number; followed: FollowResult }> {
  const followed = await followExecution({
    client: options.client,
    executionArn,
    out: options.out,
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
  });
  options.out.write(forTerminal(formatSummary(followed.description, followed.history, followed.progress)));
  return { exitCode: followed.description.status === 'SUCCEEDED' ? 0 : 1, followed };
}

/** The deployed state machine of a stage: `redshift-transfer-<stage>-<kind>` (the service in serverless.yml). */
export async function findDeployedStateMachine(
  client: SFNClient,
  stage: string,
  kind: string,
): Promise<string> {
  const wanted = stateMachineName('redshift-transfer', stage, kind);
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken }));
    const found = page.stateMachines?.find((sm) => sm.name === wanted);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new ConfigError(
    `No state machine named ${wanted} in this account and region: deploy the stage (npm run deploy -- --stage ${stage}) or pass --state-machine-arn`,
  );
}
