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
  /** How many times RedriveExecution restarted it, and when last. */
  redriveCount: number;
  redriveDate?: Date;
  /** Replaced by each redrive: it settles when the current attempt ends. */
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
  /** What a redrive needs of each execution started here. */
  private readonly attempts = new WeakMap<LocalExecution, Attempt>();

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
    const stats = emptyStats();
    const recorder = new HistoryRecorder(sm.prepared, stats, true);
    const inputText = jsonText(input);
    const execution: LocalExecution = {
      executionArn,
      name,
      stateMachineArn: sm.arn,
      input: inputText,
      startDate: new Date(),
      status: 'RUNNING',
      history: recorder.events,
      stats,
      mapRuns: new Map<string, MapRunInfo>(),
      redriveCount: 0,
      done: undefined as unknown as Promise<ExecutionResult>,
      onEvent: (listener) => recorder.onEvent(listener),
      stop: () => {},
    };
    this.attempts.set(execution, { sm, recorder, input });
    recorder.add('ExecutionStarted', {
      executionStartedEventDetails: {
        input: inputText,
        inputDetails: { truncated: false },
        roleArn: ROLE_ARN,
      },
    });
    this.launch(execution, sm.machine, input);
    this.options.onExecution?.(execution);
    return execution;
  }

  /**
   * RedriveExecution (Standard workflows): the same execution (ARN, input, history) continues from
   * the top-level state that was running when it failed, timed out or was aborted, with the input
   * that state received; the states before it are not run again. A Parallel, inline Map or
   * Distributed Map state is rerun whole (AWS reruns only its failed branches or items).
   */
  redrive(execution: LocalExecution): Date {
    const attempt = this.attempts.get(execution);
    const reason = notRedrivableReason(execution);
    if (attempt === undefined || reason !== undefined)
      throw new ConfigError(reason ?? `Execution ${execution.executionArn} was not started by this runner`);
    const { sm, recorder } = attempt;
    const topLevel = new Set(Object.keys(sm.prepared.definition.States as JsonObject));
    let from: { name: string; input: Json } | undefined;
    for (const event of [...recorder.events].reverse()) {
      const details = event.stateEnteredEventDetails;
      if (details?.name !== undefined && topLevel.has(details.name)) {
        from = { name: details.name, input: JSON.parse(details.input ?? 'null') as Json };
        break;
      }
    }
    // Aborted before its first state: the redrive starts where the execution would have.
    const startAt = from?.name ?? String(sm.prepared.definition.StartAt);
    const machine =
      startAt === sm.prepared.definition.StartAt
        ? sm.machine
        : new StateMachine({ ...sm.prepared.definition, StartAt: startAt } as unknown as Definition, {
            validationOptions: { noValidate: true },
          });
    const redriveDate = new Date();
    execution.redriveCount += 1;
    execution.redriveDate = redriveDate;
    execution.status = 'RUNNING';
    delete execution.stopDate;
    delete execution.output;
    delete execution.error;
    delete execution.cause;
    recorder.add('ExecutionRedriven', {
      executionRedrivenEventDetails: { redriveCount: execution.redriveCount },
    });
    this.launch(execution, machine, from?.input ?? attempt.input);
    return redriveDate;
  }

  /** Runs one attempt of the execution on `machine`, setting its status, stop and done. */
  private launch(execution: LocalExecution, machine: StateMachine, input: Json): void {
    const { sm, recorder, input: executionInput } = this.attempts.get(execution) as Attempt;
    const { executionArn, stats, mapRuns, startDate } = execution;
    const abort = new AbortController();
    const context: JsonObject = {
      Execution: {
        Id: executionArn,
        Name: execution.name,
        // The interpreter adds Input and StartTime to its own copy; the states the runner serves
        // (Wait, Distributed Map) read this one. Input is the execution's, even on a redrive.
        Input: executionInput,
        StartTime: startDate.toISOString(),
        RoleArn: ROLE_ARN,
        RedriveCount: execution.redriveCount,
        ...(execution.redriveDate ? { RedriveTime: execution.redriveDate.toISOString() } : {}),
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
    const run = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: buildTaskHandlers(sm.prepared, scope) as never },
      context: context as never,
    });
    const consuming = (async () => {
      for await (const event of run.eventLogs) recorder.consume(event as never);
    })();

    let stopRequest: { error?: string; cause?: string } | undefined;
    execution.stop = (error?: string, cause?: string) => {
      if (execution.status !== 'RUNNING' || stopRequest !== undefined) return;
      stopRequest = { error, cause };
      abort.abort();
      run.abort();
    };
    execution.done = (async (): Promise<ExecutionResult> => {
      let output: Json | undefined;
      let ended: { status: LocalExecution['status']; error?: string | undefined; cause?: string | undefined };
      try {
        output = (await run.result) as Json;
        ended = { status: 'SUCCEEDED' };
      } catch (thrown) {
        const error = thrown as Error & { cause?: unknown };
        if (error.name === 'ExecutionAbortedError') {
          ended = { status: 'ABORTED', error: stopRequest?.error, cause: stopRequest?.cause };
        } else if (error.name === 'ExecutionTimeoutError') {
          ended = {
            status: 'TIMED_OUT',
            error: 'States.Timeout',
            cause: 'The execution ran longer than the state machine TimeoutSeconds',
          };
        } else {
          const inner = error.cause instanceof Error ? error.cause : error;
          ended = { status: 'FAILED', error: inner.name, cause: causeText(inner.message) };
        }
      }
      abort.abort();
      await consuming;
      // Published in one synchronous step, the status last: DescribeExecution (the CLI follows an
      // execution with it) never sees an ended status without its stop date, output or last event.
      execution.stopDate = new Date();
      if (ended.error !== undefined) execution.error = ended.error;
      if (ended.cause !== undefined) execution.cause = ended.cause;
      if (ended.status === 'SUCCEEDED') {
        execution.output = jsonText(output);
        recorder.add('ExecutionSucceeded', {
          executionSucceededEventDetails: { output: execution.output, outputDetails: { truncated: false } },
        });
      } else if (ended.status === 'FAILED') {
        recorder.add('ExecutionFailed', {
          executionFailedEventDetails: { error: execution.error, cause: execution.cause },
        });
      } else if (ended.status === 'ABORTED') {
        recorder.add('ExecutionAborted', {
          executionAbortedEventDetails: { error: execution.error, cause: execution.cause },
        });
      } else {
        recorder.add('ExecutionTimedOut', {
          executionTimedOutEventDetails: { error: execution.error, cause: execution.cause },
        });
      }
      execution.status = ended.status;
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
  }
}

/** Why RedriveExecution refuses this execution (AWS's redriveStatusReason), or undefined if it may. */
export function notRedrivableReason(execution: Pick<LocalExecution, 'status'>): string | undefined {
  if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED')
    return `Execution is ${execution.status} and cannot be redriven`;
  return undefined;
}

const ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/redshift-transfer-local`;

interface Attempt {
  sm: PreparedStateMachine;
  recorder: HistoryRecorder;
  /** The execution's input (a redrive keeps it). */
  input: Json;
}

/** Writes the handlers' environment (they run in this process). */
function applyEnv(env: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}
