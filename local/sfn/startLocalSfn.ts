import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { ConfigError } from '../../src/errors.ts';
import { stateMachineArnEnvVar } from '../../src/naming.ts';
import {
  AwsJsonError as ApiError,
  type AwsJsonServerOptions,
  dispatchTable,
  type JsonBody,
  type Operation,
  startAwsJsonServer,
} from '../http/startAwsJsonServer.ts';
import { LOCAL_NAME_PREFIX, stateMachineArn } from './arns.ts';
import { type Json, type JsonObject, listStateMachineFiles, loadDefinitionFile } from './loadDefinition.ts';
import {
  type LocalExecution,
  LocalRunner,
  notRedrivableReason,
  type PreparedStateMachine,
} from './localRunner.ts';
import { PAYLOAD_LIMIT_BYTES } from './payload.ts';

export const DEFAULT_STATE_MACHINES_DIR = fileURLToPath(new URL('../../statemachines', import.meta.url));

export interface StartLocalSfnOptions {
  region?: string;
  /** Where `<kind>.asl.yml` live (default: the repository's statemachines/). */
  stateMachinesDir?: string;
  /** Only these kinds (default: every file in the directory). */
  kinds?: string[];
  /** `${StateBucket}` and any extra `${Name}` values. */
  substitutions: { stateBucket: string; extra?: Record<string, string> };
  /** Environment for the handlers; RT_ENDPOINT_SFN defaults to this endpoint. */
  env?: Record<string, string | undefined>;
  /** See LocalRunnerOptions.onEnvChange (functions/_shared/runtime.ts's resetRuntime). */
  onEnvChange?: () => void;
  /** Multiplies Wait durations (0 = no waiting) and Retry intervals. */
  waitScale?: number;
  functionsDir?: string;
  s3Client?: S3Client;
  mapConcurrencyLimit?: number;
  /** 0 (default) takes a free port. */
  port?: number;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: LocalExecution['status'];
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  inputDetails: { included: boolean };
  outputDetails?: { included: boolean };
  redriveCount: number;
  redriveDate?: Date;
  redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE' | 'REDRIVABLE_BY_MAP_RUN';
  redriveStatusReason: string;
}

export interface LocalSfn {
  endpoint: string;
  region: string;
  stateMachines: Map<string, PreparedStateMachine>;
  executions: Map<string, LocalExecution>;
  /** Resolves with the execution's description once it has ended (no polling). */
  whenDone(executionArn: string): Promise<ExecutionDescription>;
  /** Stops every running execution (ABORTED) and closes the server. */
  stop(): Promise<void>;
}

// Names must not contain whitespace, brackets, wildcards, these specials or control characters.
const invalidNameCharacters = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/**
 * A Step Functions API endpoint on loopback (AWS JSON 1.0, what `@aws-sdk/client-sfn` speaks)
 * serving our state machines from `statemachines/*.asl.yml` as
 * `arn:aws:states:<region>:000000000000:stateMachine:redshift-transfer-<kind>`. Executions run
 * in this process on the LocalRunner.
 */
export async function startLocalSfn(options: StartLocalSfnOptions): Promise<LocalSfn> {
  const region = options.region ?? options.env?.AWS_REGION ?? 'us-east-1';
  const executions = new Map<string, LocalExecution>();
  const stateMachines = new Map<string, PreparedStateMachine>();
  const creationDate = new Date();

  // The handlers need the endpoint (RT_ENDPOINT_SFN) before the operations exist: until they are
  // set, a request that finds the port is told to retry.
  let dispatch: AwsJsonServerOptions['dispatch'] = () => {
    throw new ApiError('ServiceUnavailable', 'The local Step Functions is still starting; retry.', 503);
  };
  const server = await startAwsJsonServer({
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    internalErrorType: 'InternalFailure',
    dispatch: (operation, body) => dispatch(operation, body),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  const endpoint = server.endpoint;

  const files = await listStateMachineFiles(options.stateMachinesDir ?? DEFAULT_STATE_MACHINES_DIR);
  const kinds = Object.keys(files).filter(
    (kind) => options.kinds === undefined || options.kinds.includes(kind),
  );
  // Functions that start executions (the S3 trigger) find them as on AWS: RT_<KIND>_STATE_MACHINE_ARN.
  const machineArnEnv = Object.fromEntries(
    kinds.map((kind) => [stateMachineArnEnvVar(kind), stateMachineArn(region, kind)]),
  );
  const runner = new LocalRunner({
    region,
    env: { RT_ENDPOINT_SFN: endpoint, ...machineArnEnv, ...options.env },
    // Child executions (startExecution.sync:2) are described, listed and stopped like any other.
    onExecution: (execution) => executions.set(execution.executionArn, execution),
    ...(options.waitScale !== undefined ? { waitScale: options.waitScale } : {}),
    ...(options.onEnvChange !== undefined ? { onEnvChange: options.onEnvChange } : {}),
    ...(options.functionsDir !== undefined ? { functionsDir: options.functionsDir } : {}),
    ...(options.s3Client !== undefined ? { s3Client: options.s3Client } : {}),
    ...(options.mapConcurrencyLimit !== undefined
      ? { mapConcurrencyLimit: options.mapConcurrencyLimit }
      : {}),
  });
  try {
    for (const kind of kinds) {
      const file = files[kind] as string;
      const definition = await loadDefinitionFile(file, { region, ...options.substitutions });
      const sm = runner.prepare(definition, { name: `${LOCAL_NAME_PREFIX}-${kind}`, source: file });
      stateMachines.set(sm.arn, sm);
    }
    for (const kind of options.kinds ?? []) {
      if (files[kind] === undefined) throw new ConfigError(`No statemachines/${kind}.asl.yml to serve`);
    }
  } catch (error) {
    await server.close();
    throw error;
  }

  const describe = (e: LocalExecution): ExecutionDescription => ({
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate ? { stopDate: e.stopDate } : {}),
    input: e.input,
    ...(e.output !== undefined ? { output: e.output } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
    inputDetails: { included: true },
    ...(e.output !== undefined ? { outputDetails: { included: true } } : {}),
    redriveCount: e.redriveCount,
    ...(e.redriveDate ? { redriveDate: e.redriveDate } : {}),
    ...redriveStatus(e),
  });

  const machineDescription = (sm: PreparedStateMachine) => ({
    stateMachineArn: sm.arn,
    name: sm.name,
    definition: JSON.stringify(sm.definition, null, 2),
    roleArn: `arn:aws:iam::000000000000:role/${sm.name}`,
  });

  const getExecution = (arn: unknown): LocalExecution => {
    const execution = typeof arn === 'string' ? executions.get(arn) : undefined;
    if (execution === undefined)
      throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  };
  const getStateMachine = (arn: unknown): PreparedStateMachine => {
    const sm = typeof arn === 'string' ? stateMachines.get(arn) : undefined;
    if (sm === undefined)
      throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return sm;
  };

  const operations: Record<string, Operation> = {
    StartExecution(body) {
      const sm = getStateMachine(body.stateMachineArn);
      const inputText = typeof body.input === 'string' ? body.input : '{}';
      let input: Json;
      try {
        input = JSON.parse(inputText) as Json;
      } catch (error) {
        throw new ApiError(
          'InvalidExecutionInput',
          `Invalid State Machine Execution Input: '${(error as Error).message}'`,
        );
      }
      if (Buffer.byteLength(inputText) > PAYLOAD_LIMIT_BYTES) {
        throw new ApiError(
          'InvalidExecutionInput',
          `The execution input is over ${PAYLOAD_LIMIT_BYTES} bytes`,
        );
      }
      const name = typeof body.name === 'string' ? body.name : undefined;
      if (name !== undefined && (name.length < 1 || name.length > 80 || invalidNameCharacters.test(name))) {
        throw new ApiError(
          'InvalidName',
          `Invalid Name: '${name}' (1-80 characters, no whitespace, brackets, wildcards or " # % \\ ^ | ~ \` $ & , ; : /)`,
        );
      }
      if (name !== undefined) {
        const existing = executions.get(`${sm.arn.replace(':stateMachine:', ':execution:')}:${name}`);
        if (existing !== undefined) {
          // AWS: same name and input while the first is open = the same execution (idempotent);
          // a different input, or a closed execution, is ExecutionAlreadyExists (names last 90 days).
          if (existing.status === 'RUNNING' && sameJson(existing.input, inputText)) {
            return { executionArn: existing.executionArn, startDate: epoch(existing.startDate) };
          }
          throw new ApiError(
            'ExecutionAlreadyExists',
            `Execution Already Exists: '${existing.executionArn}' (${existing.status === 'RUNNING' ? 'running with a different input' : existing.status})`,
          );
        }
      }
      const execution = runner.start(sm, input, name !== undefined ? { name } : {});
      executions.set(execution.executionArn, execution);
      return { executionArn: execution.executionArn, startDate: epoch(execution.startDate) };
    },
    RedriveExecution(body) {
      const execution = getExecution(body.executionArn);
      const reason = notRedrivableReason(execution);
      if (reason !== undefined) throw new ApiError('ExecutionNotRedrivable', reason);
      return { redriveDate: epoch(runner.redrive(execution)) };
    },
    DescribeExecution(body) {
      return serialise(describe(getExecution(body.executionArn)));
    },
    StopExecution(body) {
      const execution = getExecution(body.executionArn);
      execution.stop(
        typeof body.error === 'string' ? body.error : undefined,
        typeof body.cause === 'string' ? body.cause : undefined,
      );
      return { stopDate: epoch(execution.stopDate ?? new Date()) };
    },
    GetExecutionHistory(body) {
      const execution = getExecution(body.executionArn);
      const events = body.reverseOrder === true ? [...execution.history].reverse() : execution.history;
      const includeData = body.includeExecutionData !== false;
      const page = paginate(events, body, 1000);
      return {
        events: page.items.map((event) => serialise(includeData ? event : withoutData(event))),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },
    ListExecutions(body) {
      if (typeof body.mapRunArn === 'string') {
        // Child executions of a map run are not kept (counters only); see DescribeMapRun.
        return { executions: [] };
      }
      const sm = getStateMachine(body.stateMachineArn);
      const matching = [...executions.values()]
        .filter(
          (e) =>
            e.stateMachineArn === sm.arn &&
            (body.statusFilter === undefined || e.status === body.statusFilter),
        )
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
      const page = paginate(matching, body, 1000);
      return {
        executions: page.items.map((e) =>
          serialise({
            executionArn: e.executionArn,
            stateMachineArn: e.stateMachineArn,
            name: e.name,
            status: e.status,
            startDate: e.startDate,
            ...(e.stopDate ? { stopDate: e.stopDate } : {}),
          }),
        ),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },
    ListStateMachines(body) {
      const page = paginate([...stateMachines.values()], body, 1000);
      return {
        stateMachines: page.items.map((sm) => ({
          stateMachineArn: sm.arn,
          name: sm.name,
          type: 'STANDARD',
          creationDate: epoch(creationDate),
        })),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },
    DescribeStateMachine(body) {
      const sm = getStateMachine(body.stateMachineArn);
      return {
        ...machineDescription(sm),
        status: 'ACTIVE',
        type: 'STANDARD',
        creationDate: epoch(creationDate),
      };
    },
    DescribeStateMachineForExecution(body) {
      const execution = getExecution(body.executionArn);
      return {
        ...machineDescription(getStateMachine(execution.stateMachineArn)),
        updateDate: epoch(creationDate),
      };
    },
    ListMapRuns(body) {
      const execution = getExecution(body.executionArn);
      return {
        mapRuns: [...execution.mapRuns.values()].map((run) =>
          serialise({
            executionArn: run.executionArn,
            mapRunArn: run.mapRunArn,
            stateMachineArn: execution.stateMachineArn,
            startDate: run.startDate,
            ...(run.stopDate ? { stopDate: run.stopDate } : {}),
          }),
        ),
      };
    },
    DescribeMapRun(body) {
      for (const execution of executions.values()) {
        const run = typeof body.mapRunArn === 'string' ? execution.mapRuns.get(body.mapRunArn) : undefined;
        if (run !== undefined) {
          const { stateName: _stateName, ...rest } = run;
          return serialise({ ...rest, redriveCount: 0 });
        }
      }
      throw new ApiError('ResourceNotFound', `Map Run Does Not Exist: '${String(body.mapRunArn)}'`);
    },
  };

  dispatch = dispatchTable('AWSStepFunctions', operations);

  return {
    endpoint,
    region,
    stateMachines,
    executions,
    async whenDone(executionArn) {
      const execution = executions.get(executionArn);
      if (execution === undefined) throw new ConfigError(`No local execution ${executionArn}`);
      await execution.done;
      return describe(execution);
    },
    stop: () =>
      // Stop accepting first, so that no execution starts while the running ones are aborted.
      server.close(async () => {
        for (const execution of executions.values())
          execution.stop('States.Aborted', 'The local Step Functions stopped');
        await Promise.all([...executions.values()].map((e) => e.done));
      }),
  };
}

function redriveStatus(
  e: LocalExecution,
): Pick<ExecutionDescription, 'redriveStatus' | 'redriveStatusReason'> {
  const reason = notRedrivableReason(e);
  return reason === undefined
    ? { redriveStatus: 'REDRIVABLE', redriveStatusReason: `Execution is ${e.status} and can be redriven` }
    : { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: reason };
}

const epoch = (date: Date) => date.getTime() / 1000;

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return a === b;
  }
}

/** The wire form: Dates become epoch seconds, as the JSON protocol sends them; undefined is dropped. */
function serialise(value: object): JsonObject {
  const convert = (v: unknown): Json | undefined => {
    if (v instanceof Date) return epoch(v);
    if (Array.isArray(v)) return v.map((item) => convert(item) ?? null);
    if (v !== null && typeof v === 'object') {
      const out: JsonObject = {};
      for (const [key, item] of Object.entries(v)) {
        const converted = convert(item);
        if (converted !== undefined) out[key] = converted;
      }
      return out;
    }
    return v as Json | undefined;
  };
  return convert(value) as JsonObject;
}

function withoutData(event: HistoryEvent): HistoryEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, details] of Object.entries(copy)) {
    if (key.endsWith('EventDetails') && details !== null && typeof details === 'object') {
      const { input: _input, output: _output, ...rest } = details as Record<string, unknown>;
      copy[key] = rest;
    }
  }
  return copy as unknown as HistoryEvent;
}

function paginate<T>(items: readonly T[], body: JsonBody, max: number): { items: T[]; nextToken?: string } {
  const requested = typeof body.maxResults === 'number' && body.maxResults > 0 ? body.maxResults : 100;
  const size = Math.min(requested, max);
  let offset = 0;
  if (typeof body.nextToken === 'string') {
    const decoded = Number(Buffer.from(body.nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0)
      throw new ApiError('InvalidToken', `Invalid Token: '${body.nextToken}'`);
    offset = decoded;
  }
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}
