import './polyfill.ts';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { createS3Client } from '../../src/aws/clients.ts';
import { readEnv } from '../../src/config/env.ts';
import { ConfigError } from '../../src/errors.ts';
import { LOCAL_ACCOUNT_ID, executionArn as makeExecutionArn } from './arns.ts';
import { causeText, type ExecutionStats, emptyStats, HistoryRecorder } from './historyRecorder.ts';
import { FunctionLoader } from './invokeFunction.ts';
import type { Json, JsonObject } from './loadDefinition.ts';
import { jsonText, StatesTaskError } from './payload.ts';
import { type PreparedDefinition, prepareDefinition } from './prepareDefinition.ts';
import type { ExecutionScope, MapRunInfo, RunnerServices } from './scope.ts';
import { buildTaskHandlers } from './taskHandlers.ts';

type Definition = ConstructorParameters<typeof StateMachine>[0];
type AslValidator = (
  definition: unknown,
  options: { checkArn: boolean; checkPaths: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

export const DEFAULT_FUNCTIONS_DIR = fileURLToPath(new URL('../../functions', import.meta.url));

export interface LocalRunnerOptions {
  region?: string;
  /** Where `functions/<name>.ts` live (default: the repository's functions/). */
  functionsDir?: string;
  /**
   * Environment for the handlers (`RT_ENDPOINT_*`, `RT_STATE_BUCKET`, `AWS_REGION`...): written to
   * process.env (handlers run in this process) before the first handler runs; undefined unsets.
   */
  env?: Record<string, string | undefined>;
  /**
   * Called once the runner has written `env`, so that handlers which cache what they read from
   * the environment read it again (pass functions/_shared/runtime.ts's resetRuntime). The runner
   * never imports functions/: the application wires the two together.
   */
  onEnvChange?: () => void;
  /** Multiplies every Wait state's duration (default 1; 0 in tests). */
  waitScale?: number;
  /** Multiplies every Retry interval (default: waitScale). */
  retryScale?: number;
  /** For Distributed Map items and results (default: a client for RT_ENDPOINT_S3). */
  s3Client?: S3Client;
  /** Cap on concurrent Distributed Map children in this process (default 40). */
  mapConcurrencyLimit?: number;
  /** TimeoutSeconds of Lambda tasks that set none (default 900, Lambda's maximum). */
  taskTimeoutSeconds?: number;
  /**
   * Called with every execution this runner starts, child executions (`startExecution.sync:2`)
   * included, so that an API endpoint can describe and stop them too.
   */
  onExecution?: (execution: LocalExecution) => void;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface ExecutionResult {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: Json;
  error?: string;
  cause?: string;
  /** AWS-shaped history (GetExecutionHistory's events), Distributed Map children excluded. */
  history: HistoryEvent[];
  stats: ExecutionStats;
  startDate: Date;
  stopDate: Date;
}

/** A state machine ready to run: validated, placeholders substituted, rewritten for the interpreter. */
export interface PreparedStateMachine {
  arn: string;
  name: string;
  /** The definition as deployed (placeholders substituted), for DescribeStateMachine. */
  definition: JsonObject;
  prepared: PreparedDefinition;
  machine: StateMachine;
}

/** One running (or finished) execution. Fields are live while it runs. */
export interface LocalExecution {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  startDate: Date;
  stopDate?: Date;
  status: ExecutionStatus;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  stats: ExecutionStats;
  mapRuns: Map<string, MapRunInfo>;
  done: Promise<ExecutionResult>;
  /** Calls the listener with every history event as it is recorded; returns the unsubscribe. */
  onEvent(listener: (event: HistoryEvent) => void): () => void;
  /** StopExecution: aborts the run; it ends ABORTED with this error and cause. */
  stop(error?: string, cause?: string): void;
}

/**
 * Runs our ASL definitions in-process with aws-local-stepfunctions, each Lambda task bound to its
 * handler in functions/, waits scaled, and the Distributed Map emulated.
 *
 * @example
 * const runner = new LocalRunner({ waitScale: 0, env: { RT_ENDPOINT_S3: s3.endpoint } });
 * const sm = runner.prepare(definition, { name: 'redshift-transfer-export' });
 * const result = await runner.start(sm, { job }).done;
 */
export class LocalRunner {
  readonly region: string;
  private readonly options: LocalRunnerOptions;
  private readonly services: RunnerServices;
  private s3Client: S3Client | undefined;
  /** Every state machine prepared here, by ARN: child executions start them. */
  private readonly machines = new Map<string, PreparedStateMachine>();
  /** ARNs of the child executions started here (names are unique per state machine). */
  private readonly childArns = new Set<string>();

  constructor(options: LocalRunnerOptions = {}) {
    this.options = options;
    this.region = options.region ?? options.env?.AWS_REGION ?? 'us-east-1';
    this.s3Client = options.s3Client;
    applyEnv({ AWS_REGION: this.region, ...options.env });
    options.onEnvChange?.();
    this.services = {
      region: this.region,
      loader: new FunctionLoader(options.functionsDir ?? DEFAULT_FUNCTIONS_DIR),
      s3: () => {
        if (this.s3Client === undefined) {
          const env = readEnv();
          this.s3Client = createS3Client({ region: env.AWS_REGION, endpoint: env.RT_ENDPOINT_S3 });
        }
        return this.s3Client;
      },
      waitScale: options.waitScale ?? 1,
      mapConcurrencyLimit: options.mapConcurrencyLimit ?? 40,
      startExecution: (stateMachineArn, input, name) => this.startChild(stateMachineArn, input, name),
    };
  }

  /** Validates (asl-validator) and rewrites a definition whose placeholders are substituted. */
  prepare(
    definition: JsonObject,
    { name, source = name }: { name: string; source?: string },
  ): PreparedStateMachine {
    const { isValid, errorsText } = aslValidator(definition, { checkArn: true, checkPaths: true });
    if (!isValid)
      throw new ConfigError(`${source}: invalid state machine definition:\n  ${errorsText('\n  ')}`);
    const prepared = prepareDefinition(definition, {
      functionsDir: this.services.loader.functionsDir,
      retryScale: this.options.retryScale ?? this.services.waitScale,
      taskTimeoutSeconds: this.options.taskTimeoutSeconds ?? 900,
      source,
    });
    const machine = new StateMachine(prepared.definition as unknown as Definition, {
      validationOptions: { noValidate: true },
    });
    const arn = `arn:aws:states:${this.region}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;
    const sm = { arn, name, definition, prepared, machine };
    this.machines.set(arn, sm);
    return sm;
  }

  /** StartExecution from a `startExecution.sync:2` task, with the errors the SDK integration names. */
  private startChild(stateMachineArn: string, input: Json, name?: string): LocalExecution {
    const sm = this.machines.get(stateMachineArn);
    if (sm === undefined) {
      throw new StatesTaskError(
        'StepFunctions.StateMachineDoesNotExistException',
        `State Machine Does Not Exist: '${stateMachineArn}' (prepare it on the same LocalRunner)`,
      );
    }
    const childName = name ?? randomUUID();
    const arn = makeExecutionArn(sm.arn, childName);
    if (this.childArns.has(arn)) {
      throw new StatesTaskError(
        'StepFunctions.ExecutionAlreadyExistsException',
        `Execution Already Exists: '${arn}'`,
      );
    }
    this.childArns.add(arn);
    return this.start(sm, input, { name: childName });
  }

  /** Starts an execution; `done` settles when it ends (it never rejects). */
  start(
    sm: PreparedStateMachine,
    input: Json,
    { name = randomUUID() }: { name?: string } = {},
  ): LocalExecution {
    const executionArn = makeExecutionArn(sm.arn, name);
    const abort = new AbortController();
    const stats = emptyStats();
    const recorder = new HistoryRecorder(sm.prepared, stats, true);
    const mapRuns = new Map<string, MapRunInfo>();
    const inputText = jsonText(input);
    const startDate = new Date();
    const context: JsonObject = {
      Execution: {
        Id: executionArn,
        Name: name,
        // The interpreter adds Input and StartTime to its own copy; the states the runner serves
        // (Wait, Distributed Map) read this one.
        Input: input,
        StartTime: startDate.toISOString(),
        RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/redshift-transfer-local`,
      },
      StateMachine: { Id: sm.arn, Name: sm.name },
    };
    const scope: ExecutionScope = {
      services: this.services,
      recorder,
      signal: abort.signal,
      stateMachineArn: sm.arn,
      executionArn,
      context,
      mapRuns,
    };
    recorder.add('ExecutionStarted', {
      executionStartedEventDetails: {
        input: inputText,
        inputDetails: { truncated: false },
        roleArn: String((context.Execution as JsonObject).RoleArn),
      },
    });
    const run = sm.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: buildTaskHandlers(sm.prepared, scope) as never },
      context: context as never,
    });
    const consuming = (async () => {
      for await (const event of run.eventLogs) recorder.consume(event as never);
    })();

    let stopRequest: { error?: string; cause?: string } | undefined;
    const execution: LocalExecution = {
      executionArn,
      name,
      stateMachineArn: sm.arn,
      input: inputText,
      startDate,
      status: 'RUNNING',
      history: recorder.events,
      stats,
      mapRuns,
      done: undefined as unknown as Promise<ExecutionResult>,
      onEvent: (listener) => recorder.onEvent(listener),
      stop: (error?: string, cause?: string) => {
        if (execution.status !== 'RUNNING' || stopRequest !== undefined) return;
        stopRequest = { error, cause };
        abort.abort();
        run.abort();
      },
    };
    execution.done = (async (): Promise<ExecutionResult> => {
      let output: Json | undefined;
      try {
        output = (await run.result) as Json;
        execution.status = 'SUCCEEDED';
      } catch (thrown) {
        const error = thrown as Error & { cause?: unknown };
        if (error.name === 'ExecutionAbortedError') {
          execution.status = 'ABORTED';
          if (stopRequest?.error !== undefined) execution.error = stopRequest.error;
          if (stopRequest?.cause !== undefined) execution.cause = stopRequest.cause;
        } else if (error.name === 'ExecutionTimeoutError') {
          execution.status = 'TIMED_OUT';
          execution.error = 'States.Timeout';
          execution.cause = 'The execution ran longer than the state machine TimeoutSeconds';
        } else {
          const inner = error.cause instanceof Error ? error.cause : error;
          execution.status = 'FAILED';
          execution.error = inner.name;
          execution.cause = causeText(inner.message);
        }
      }
      abort.abort();
      await consuming;
      execution.stopDate = new Date();
      if (execution.status === 'SUCCEEDED') {
        execution.output = jsonText(output);
        recorder.add('ExecutionSucceeded', {
          executionSucceededEventDetails: { output: execution.output, outputDetails: { truncated: false } },
        });
      } else if (execution.status === 'FAILED') {
        recorder.add('ExecutionFailed', {
          executionFailedEventDetails: { error: execution.error, cause: execution.cause },
        });
      } else if (execution.status === 'ABORTED') {
        recorder.add('ExecutionAborted', {
          executionAbortedEventDetails: { error: execution.error, cause: execution.cause },
        });
      } else {
        recorder.add('ExecutionTimedOut', {
          executionTimedOutEventDetails: { error: execution.error, cause: execution.cause },
        });
      }
      return {
        status: execution.status as ExecutionResult['status'],
        ...(output !== undefined && execution.status === 'SUCCEEDED' ? { output } : {}),
        ...(execution.error !== undefined ? { error: execution.error } : {}),
        ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
        history: recorder.events,
        stats,
        startDate,
        stopDate: execution.stopDate,
      };
    })();
    this.options.onExecution?.(execution);
    return execution;
  }
}

/** Writes the handlers' environment (they run in this process). */
function applyEnv(env: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}
