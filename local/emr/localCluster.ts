import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type S3Location, tryParseS3Uri } from '../../src/aws/s3Uri.ts';
import { findLocalSpark, type LocalSparkInstall } from './localSparkInstall.ts';
import { LocalStepError, planLocalStep } from './planLocalStep.ts';

export type StepState =
  | 'PENDING'
  | 'CANCEL_PENDING'
  | 'RUNNING'
  | 'COMPLETED'
  | 'CANCELLED'
  | 'FAILED'
  | 'INTERRUPTED';
const ACTIVE: readonly StepState[] = ['PENDING', 'RUNNING', 'CANCEL_PENDING'];
const TERMINAL: readonly StepState[] = ['COMPLETED', 'CANCELLED', 'FAILED', 'INTERRUPTED'];

export interface StepConfig {
  Name: string;
  ActionOnFailure: string;
  HadoopJarStep: {
    Jar: string;
    Args: string[];
    MainClass?: string;
    Properties: { Key: string; Value: string }[];
  };
}

export interface StepRecord {
  id: string;
  config: StepConfig;
  state: StepState;
  stateChangeReason?: { Code?: string; Message?: string };
  failureDetails?: { Reason?: string; Message?: string; LogFile?: string };
  created: Date;
  started?: Date;
  ended?: Date;
  process?: ChildProcess;
  cancelRequested?: NodeJS.Signals;
}

export interface LocalClusterOptions {
  clusterId: string;
  s3: S3Client;
  s3Endpoint: string;
  /** `s3://bucket/prefix/`: step logs go to `<logUri><clusterId>/steps/<stepId>/{stdout,stderr}.gz`. */
  logUri: string | undefined;
  workDir: string;
  sparkDir: string | undefined;
  cores: number;
}

/** EMR's limit of PENDING + RUNNING (+ CANCEL_PENDING) steps on one cluster. */
export const MAX_ACTIVE_STEPS = 256;

/**
 * One local "cluster": steps run one at a time in submission order (StepConcurrencyLevel 1),
 * PENDING -> RUNNING -> COMPLETED | FAILED, with CancelSteps and ActionOnFailure as on EMR.
 * Every state change is emitted as `change` (tests wait on it instead of polling).
 */
export class LocalCluster extends EventEmitter {
  readonly steps = new Map<string, StepRecord>();
  terminated = false;
  private running: StepRecord | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(readonly options: LocalClusterOptions) {
    super();
  }

  addSteps(configs: StepConfig[]): string[] {
    const active = [...this.steps.values()].filter((s) => ACTIVE.includes(s.state)).length;
    if (active + configs.length > MAX_ACTIVE_STEPS) {
      throw new Error(
        `Maximum number of active steps (${MAX_ACTIVE_STEPS}) for cluster ${this.options.clusterId} exceeded.`,
      );
    }
    const ids = configs.map((config) => {
      const id = `s-${randomBytes(8).toString('hex').toUpperCase().slice(0, 13)}`;
      this.steps.set(id, { id, config, state: 'PENDING', created: new Date() });
      this.emit('change', this.steps.get(id));
      return id;
    });
    queueMicrotask(() => this.pump());
    return ids;
  }

  /** Cancels PENDING steps at once and RUNNING ones by killing their process (-> CANCELLED). */
  cancel(
    stepId: string,
    option: string | undefined,
  ): { StepId: string; Status: 'SUBMITTED' | 'FAILED'; Reason: string } {
    const step = this.steps.get(stepId);
    if (step === undefined)
      return {
        StepId: stepId,
        Status: 'FAILED',
        Reason: `Step ${stepId} does not exist on ${this.options.clusterId}.`,
      };
    if (step.state === 'PENDING') {
      this.finish(step, 'CANCELLED', { Code: 'USER_REQUEST', Message: 'Cancelled by CancelSteps' });
      return { StepId: stepId, Status: 'SUBMITTED', Reason: '' };
    }
    if (step.state === 'RUNNING') {
      step.cancelRequested = option === 'TERMINATE_PROCESS' ? 'SIGKILL' : 'SIGTERM';
      this.setState(step, 'CANCEL_PENDING');
      // Not spawned yet (still fetching its script): run() sees the request and never starts it.
      if (step.process !== undefined) killTree(step.process, step.cancelRequested);
      return { StepId: stepId, Status: 'SUBMITTED', Reason: '' };
    }
    return {
      StepId: stepId,
      Status: 'FAILED',
      Reason: `Step ${stepId} is ${step.state} and cannot be cancelled.`,
    };
  }

  /** Resolves when the step reaches one of `states` (default: any terminal state). */
  waitForStep(stepId: string, states: readonly StepState[] = TERMINAL): Promise<StepRecord> {
    return new Promise((resolve, reject) => {
      const check = (step: StepRecord | undefined) => {
        if (step?.id === stepId && states.includes(step.state)) {
          this.off('change', check);
          resolve(step);
        }
      };
      const current = this.steps.get(stepId);
      if (current === undefined) {
        reject(new Error(`no step ${stepId}`));
        return;
      }
      this.on('change', check);
      check(current);
    });
  }

  /** Kills the running step (as INTERRUPTED, like a cluster shutting down) and waits for it. */
  async shutdown(): Promise<void> {
    this.terminated = true;
    for (const step of this.steps.values()) {
      if (step.state === 'PENDING')
        this.finish(step, 'CANCELLED', { Code: 'CLUSTER_TERMINATED', Message: 'The local EMR was stopped' });
    }
    if (this.running?.process !== undefined) killTree(this.running.process, 'SIGKILL');
    await this.idle;
  }

  private pump(): void {
    if (this.running !== undefined || this.terminated) return;
    const next = [...this.steps.values()].find((s) => s.state === 'PENDING');
    if (next === undefined) return;
    this.running = next;
    this.idle = this.run(next).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private async run(step: StepRecord): Promise<void> {
    step.started = new Date();
    this.setState(step, 'RUNNING');
    const dir = join(this.options.workDir, step.id);
    await mkdir(join(dir, 'files'), { recursive: true });
    const stdoutPath = join(dir, 'stdout');
    const stderrPath = join(dir, 'stderr');
    let exitCode: number | null = null;
    let signal: NodeJS.Signals | null = null;
    let setupFailure: string | undefined;
    try {
      const plan = this.plan(step, dir);
      await writeFile(stderrPath, plan.notes.map((n) => `${n}\n`).join(''));
      for (const download of plan.downloads) await this.download(download.uri, download.path);
      if (step.cancelRequested !== undefined) throw new LocalStepError('cancelled before it started');
      const child = spawn(plan.command, plan.args, {
        cwd: dir,
        env: { ...process.env, ...plan.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so a cancel also stops the JVM spark-submit starts.
        detached: true,
      });
      step.process = child;
      if (step.cancelRequested !== undefined) killTree(child, step.cancelRequested);
      const exited = new Promise<void>((resolve) => {
        child.once('close', (code, sig) => {
          exitCode = code;
          signal = sig;
          resolve();
        });
        child.once('error', (err) => {
          setupFailure = `cannot start ${plan.command}: ${err.message}`;
          resolve();
        });
      });
      await Promise.all([
        child.stdout ? pipeline(child.stdout, createWriteStream(stdoutPath)) : Promise.resolve(),
        child.stderr
          ? pipeline(child.stderr, createWriteStream(stderrPath, { flags: 'a' }))
          : Promise.resolve(),
        exited,
      ]);
    } catch (error) {
      setupFailure =
        error instanceof LocalStepError
          ? error.message
          : `local EMR could not run the step: ${(error as Error).message}`;
    } finally {
      step.process = undefined;
    }
    if (setupFailure !== undefined) await writeFile(stderrPath, `${setupFailure}\n`, { flag: 'a' });
    if (!existsSync(stdoutPath)) await writeFile(stdoutPath, '');
    const logDir = await this.uploadLogs(step, stdoutPath, stderrPath);
    const stderr = await readFile(stderrPath, 'utf8');

    if (step.cancelRequested !== undefined) {
      this.finish(step, 'CANCELLED', { Code: 'USER_REQUEST', Message: 'Cancelled by CancelSteps' });
    } else if (this.terminated) {
      this.finish(step, 'INTERRUPTED', {
        Code: 'CLUSTER_TERMINATED',
        Message: 'The local EMR was stopped while the step ran',
      });
    } else if (setupFailure === undefined && exitCode === 0) {
      this.finish(step, 'COMPLETED');
    } else {
      const how =
        setupFailure !== undefined
          ? 'could not start'
          : signal !== null
            ? `was killed by ${signal}`
            : `exited with code ${exitCode}`;
      // spark-submit's PythonRunner merges the script's stderr into its stdout, so a Python error
      // (argparse's "redshift.py: error: ...") is in stdout.gz: the log file is where the reason is.
      const fromStderr = setupFailure ?? failureReason(stderr);
      const fromStdout =
        fromStderr === undefined ? failureReason(await readFile(stdoutPath, 'utf8')) : undefined;
      const logName = fromStdout === undefined ? 'stderr.gz' : 'stdout.gz';
      step.failureDetails = {
        Reason: fromStderr ?? fromStdout ?? 'Unknown Error.',
        Message: `Step ${step.id} (${step.config.HadoopJarStep.Args[0] ?? step.config.HadoopJarStep.Jar}) ${how}; the full output is in the step's ${logName} log.`,
        ...(logDir === undefined ? {} : { LogFile: `${logDir}${logName}` }),
      };
      this.finish(step, 'FAILED', { Code: 'STEP_FAILED', Message: step.failureDetails.Reason });
      this.applyActionOnFailure(step);
    }
    await rm(join(dir, 'files'), { recursive: true, force: true });
  }

  private plan(step: StepRecord, dir: string) {
    const { Jar, Args } = step.config.HadoopJarStep;
    if (Jar !== 'command-runner.jar') {
      throw new LocalStepError(
        `the local EMR runs command-runner.jar steps only (this step's jar is ${Jar})`,
      );
    }
    let install: LocalSparkInstall | undefined;
    if (Args[0] === 'spark-submit') {
      const found = findLocalSpark(this.options.sparkDir);
      if (!found.ok) throw new LocalStepError(found.reason);
      install = found.install;
    }
    return planLocalStep(Args, install, {
      s3Endpoint: this.options.s3Endpoint,
      workDir: dir,
      exists: existsSync,
      cores: this.options.cores,
    });
  }

  private async download(uri: string, path: string): Promise<void> {
    const { bucket, key } = parseS3(uri);
    let body: GetObjectCommandOutput;
    try {
      body = await this.options.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      throw new LocalStepError(
        `cannot download ${uri} from the local S3: ${(error as Error).name} ${(error as Error).message}`,
      );
    }
    const stream = body.Body as NodeJS.ReadableStream | undefined;
    if (stream === undefined) throw new LocalStepError(`empty body for ${uri}`);
    await pipeline(stream, createWriteStream(path));
  }

  private async uploadLogs(
    step: StepRecord,
    stdoutPath: string,
    stderrPath: string,
  ): Promise<string | undefined> {
    if (this.options.logUri === undefined) return undefined;
    const { bucket, key } = parseS3(this.options.logUri);
    const prefix = `${key === '' || key.endsWith('/') ? key : `${key}/`}${this.options.clusterId}/steps/${step.id}/`;
    for (const [name, path] of [
      ['stdout.gz', stdoutPath],
      ['stderr.gz', stderrPath],
    ] as const) {
      await this.options.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${prefix}${name}`,
          Body: gzipSync(await readFile(path)),
          ContentType: 'text/plain',
          ContentEncoding: 'gzip',
        }),
      );
    }
    return `s3://${bucket}/${prefix}`;
  }

  private applyActionOnFailure(step: StepRecord): void {
    const action = step.config.ActionOnFailure;
    if (action === 'CONTINUE') return;
    for (const other of this.steps.values()) {
      if (other.state === 'PENDING')
        this.finish(other, 'CANCELLED', {
          Code: 'STEP_FAILED',
          Message: `Cancelled because step ${step.id} failed (ActionOnFailure ${action})`,
        });
    }
    if (action === 'TERMINATE_CLUSTER' || action === 'TERMINATE_JOB_FLOW') this.terminated = true;
  }

  private setState(step: StepRecord, state: StepState): void {
    step.state = state;
    this.emit('change', step);
  }

  private finish(step: StepRecord, state: StepState, reason?: StepRecord['stateChangeReason']): void {
    step.ended = new Date();
    if (reason !== undefined) step.stateChangeReason = reason;
    this.setState(step, state);
  }
}

/** The most telling line of a failed step's stderr: the last error or exception line. */
export function failureReason(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (
      /(^|\s|\.)[A-Za-z_.]*(Error|Exception)\b:|: error: |^error: |Traceback|PySpark is not installed|cannot /.test(
        line,
      ) &&
      !line.startsWith('Traceback')
    ) {
      return line.length > 1024 ? `${line.slice(0, 1021)}...` : line;
    }
  }
  return undefined;
}

/** An `s3://` or (Spark's) `s3a://` URI, read by the one S3 URI parser. */
export function parseS3(uri: string): S3Location {
  const location = tryParseS3Uri(uri.replace(/^s3a:/, 's3:'));
  if (location === undefined) throw new LocalStepError(`not an S3 URI: ${uri}`);
  return location;
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
  if (signal !== 'SIGKILL') {
    // A JVM ignoring SIGTERM for too long is killed: cancel must end the step.
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 15_000);
    timer.unref();
    child.once('close', () => clearTimeout(timer));
  }
}
