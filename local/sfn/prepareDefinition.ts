import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.ts';
import { START_EXECUTION_SYNC_RESOURCE } from '../../src/naming.ts';
import { functionNameFromArn } from './arns.ts';
import { markInlineMapProcessor } from './inlineMapGate.ts';
import type { Json, JsonObject } from './loadDefinition.ts';

/** Longest timer Node can arm (2^31-1 ms): the "no timeout" of emulated states. */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

/** Resources of the Task states that stand in for states the interpreter cannot run. */
export const WAIT_RESOURCE = 'arn:aws:states:::local:wait';
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::local:distributedMap';

export type Binding =
  | { kind: 'lambda'; stateName: string; resource: string; functionName: string; timeoutSeconds: number }
  | { kind: 'startExecution'; stateName: string; resource: string }
  | { kind: 'wait'; stateName: string; state: JsonObject }
  | {
      kind: 'distributedMap';
      stateName: string;
      state: JsonObject;
      label: string;
      processor: PreparedDefinition;
    };

/** A definition rewritten for the interpreter, and what each rewritten/mapped state does. */
export interface PreparedDefinition {
  definition: JsonObject;
  /** By state name: the interpreter's overrides are keyed by state name, across nested machines. */
  bindings: Map<string, Binding>;
  /** Original state types by name (a Wait or Distributed Map becomes a Task for the interpreter). */
  stateTypes: Map<string, string>;
  /** Original state definitions by name (for history details such as a Map's ItemsPath). */
  states: Map<string, JsonObject>;
}

export interface PrepareOptions {
  functionsDir: string;
  /** Multiplies every Retry IntervalSeconds/MaxDelaySeconds (0 = retry at once). */
  retryScale: number;
  /** TimeoutSeconds for Lambda tasks that set none (the interpreter's own default is 60 s). */
  taskTimeoutSeconds: number;
  /** Where the definition came from, for messages. */
  source: string;
}

const isObject = (v: Json | undefined): v is JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Rewrites a definition so that aws-local-stepfunctions runs it as AWS would: every Lambda task
 * is bound to its `functions/<name>.ts` handler, Wait states and Distributed Map states become
 * Task states served by the runner (scaled waits; the Distributed Map emulator), Retry intervals
 * are scaled. Anything the local stack cannot run fails here, naming the state.
 */
export function prepareDefinition(definition: JsonObject, options: PrepareOptions): PreparedDefinition {
  const prepared: PreparedDefinition = {
    definition: {},
    bindings: new Map(),
    stateTypes: new Map(),
    states: new Map(),
  };
  rejectJsonata(definition, '$', options.source);
  prepared.definition = rewriteMachine(definition, '$', prepared, options);
  return prepared;
}

function rejectJsonata(definition: JsonObject, path: string, source: string): void {
  if (definition.QueryLanguage === 'JSONata') {
    throw new ConfigError(
      `${source}: ${path}.QueryLanguage is JSONata; the definitions must use JSONPath (the local interpreter ignores JSONata silently)`,
    );
  }
}

function rewriteMachine(
  machine: JsonObject,
  path: string,
  prepared: PreparedDefinition,
  options: PrepareOptions,
): JsonObject {
  const states = machine.States;
  if (!isObject(states) || typeof machine.StartAt !== 'string') {
    throw new ConfigError(`${options.source}: ${path} needs StartAt and States`);
  }
  const rewritten: JsonObject = {};
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) throw new ConfigError(`${options.source}: state ${name} is not an object`);
    rewritten[name] = rewriteState(name, state, `${path}.States.${name}`, prepared, options);
  }
  const { ProcessorConfig: _ignored, ...rest } = machine;
  return { ...rest, States: rewritten };
}

function register(
  prepared: PreparedDefinition,
  name: string,
  type: string,
  state: JsonObject,
  source: string,
) {
  if (prepared.stateTypes.has(name)) {
    throw new ConfigError(
      `${source}: the state name "${name}" is used twice; state names must be unique in a state machine (nested ones included)`,
    );
  }
  prepared.stateTypes.set(name, type);
  prepared.states.set(name, state);
}

function rewriteState(
  name: string,
  state: JsonObject,
  path: string,
  prepared: PreparedDefinition,
  options: PrepareOptions,
): JsonObject {
  const type = String(state.Type);
  for (const field of ['Assign', 'Arguments', 'Output'] as const) {
    if (field in state) {
      throw new ConfigError(
        `${options.source}: state ${name} uses ${field} (JSONata/variables); the local runner needs plain JSONPath`,
      );
    }
  }
  if (state.QueryLanguage === 'JSONata') rejectJsonata(state, path, options.source);
  register(prepared, name, type, state, options.source);
  const scaled = scaleRetry(withoutRootResultPath(state), options.retryScale);

  if (type === 'Task') {
    const resource = String(state.Resource);
    if (resource === START_EXECUTION_SYNC_RESOURCE) {
      prepared.bindings.set(name, { kind: 'startExecution', stateName: name, resource });
      // The interpreter's default task timeout is 60 s; a child execution runs as long as it needs.
      const hasTimeout = state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined;
      return hasTimeout ? scaled : { ...scaled, TimeoutSeconds: MAX_TIMEOUT_SECONDS };
    }
    const functionName = functionNameFromArn(resource);
    if (functionName === undefined) {
      throw new ConfigError(
        `${options.source}: Task state ${name} has Resource "${resource}", which the local runner cannot run. Tasks call a function in functions/ through "\${<Name>FunctionArn}", or start a child execution with "${START_EXECUTION_SYNC_RESOURCE}".`,
      );
    }
    const file = join(options.functionsDir, `${functionName}.ts`);
    if (!existsSync(file)) {
      throw new ConfigError(
        `${options.source}: Task state ${name} calls ${resource}, but ${file} does not exist (the naming rule maps \${${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}FunctionArn} to functions/${functionName}.ts)`,
      );
    }
    const hasTimeout = state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined;
    const timeoutSeconds =
      typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : options.taskTimeoutSeconds;
    prepared.bindings.set(name, { kind: 'lambda', stateName: name, resource, functionName, timeoutSeconds });
    return hasTimeout ? scaled : { ...scaled, TimeoutSeconds: options.taskTimeoutSeconds };
  }

  if (type === 'Wait') {
    prepared.bindings.set(name, { kind: 'wait', stateName: name, state });
    return pick({ Type: 'Task', Resource: WAIT_RESOURCE, TimeoutSeconds: MAX_TIMEOUT_SECONDS }, state, [
      'Comment',
      'InputPath',
      'OutputPath',
      'Next',
      'End',
    ]);
  }

  if (type === 'Map') {
    const processor = isObject(state.ItemProcessor)
      ? state.ItemProcessor
      : isObject(state.Iterator)
        ? state.Iterator
        : undefined;
    if (processor === undefined)
      throw new ConfigError(`${options.source}: Map state ${name} has no ItemProcessor`);
    const config = isObject(processor.ProcessorConfig) ? processor.ProcessorConfig : {};
    if (config.Mode === 'DISTRIBUTED') {
      // Child executions are separate machines on AWS: their state names live in their own scope.
      const child = prepareDefinition(processor, {
        ...options,
        source: `${options.source} (${name} ItemProcessor)`,
      });
      const label = typeof state.Label === 'string' ? state.Label : name;
      prepared.bindings.set(name, {
        kind: 'distributedMap',
        stateName: name,
        state,
        label,
        processor: child,
      });
      return pick(
        { Type: 'Task', Resource: DISTRIBUTED_MAP_RESOURCE, TimeoutSeconds: MAX_TIMEOUT_SECONDS },
        scaled,
        [
          'Comment',
          'InputPath',
          'ResultSelector',
          'ResultPath',
          'OutputPath',
          'Retry',
          'Catch',
          'Next',
          'End',
        ],
      );
    }
    if ('ItemReader' in state || 'ItemBatcher' in state || 'ResultWriter' in state) {
      throw new ConfigError(
        `${options.source}: Map state ${name} uses ItemReader/ItemBatcher/ResultWriter, which need ProcessorConfig.Mode DISTRIBUTED`,
      );
    }
    const key = isObject(state.ItemProcessor) ? 'ItemProcessor' : 'Iterator';
    const iterator = rewriteMachine(processor, `${path}.${key}`, prepared, options);
    markInlineMapProcessor(iterator);
    return { ...scaled, [key]: iterator };
  }

  if (type === 'Parallel') {
    const branches = Array.isArray(state.Branches) ? state.Branches : [];
    return {
      ...scaled,
      Branches: branches.map((branch, i) => {
        if (!isObject(branch))
          throw new ConfigError(`${options.source}: ${path}.Branches[${i}] is not an object`);
        return rewriteMachine(branch, `${path}.Branches[${i}]`, prepared, options);
      }),
    };
  }
  return scaled;
}

/**
 * `ResultPath: "$"` (the result replaces the whole input) is the same as no ResultPath, on the
 * state and on a Catch. aws-local-stepfunctions 3 mishandles it: processResultPath strips "$."
 * from the path, so "$" stays "$" and the result is set under a key named "$" beside the input
 * (the next state then misses `$.runId`). Dropping it gives AWS's behaviour.
 */
function withoutRootResultPath(state: JsonObject): JsonObject {
  let out = state;
  if (out.ResultPath === '$') {
    const { ResultPath: _root, ...rest } = out;
    out = rest;
  }
  if (Array.isArray(out.Catch) && out.Catch.some((c) => isObject(c) && c.ResultPath === '$')) {
    out = {
      ...out,
      Catch: out.Catch.map((catcher) => {
        if (!isObject(catcher) || catcher.ResultPath !== '$') return catcher;
        const { ResultPath: _root, ...rest } = catcher;
        return rest;
      }),
    };
  }
  return out;
}

function pick(base: JsonObject, state: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = { ...base };
  for (const key of keys) {
    const value = state[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function scaleRetry(state: JsonObject, scale: number): JsonObject {
  if (!Array.isArray(state.Retry) || scale === 1) return state;
  return {
    ...state,
    Retry: state.Retry.map((retrier) => {
      if (!isObject(retrier)) return retrier;
      const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
      const scaled: JsonObject = { ...retrier, IntervalSeconds: interval * scale };
      if (typeof retrier.MaxDelaySeconds === 'number')
        scaled.MaxDelaySeconds = retrier.MaxDelaySeconds * scale;
      return scaled;
    }),
  };
}
