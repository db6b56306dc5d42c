import './polyfill.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import type { Json, JsonObject } from './loadDefinition.ts';

type Definition = ConstructorParameters<typeof StateMachine>[0];
type RunContext = NonNullable<NonNullable<Parameters<StateMachine['run']>[1]>['context']>;

const machines = new WeakMap<object, StateMachine>();

/**
 * Evaluates an ASL payload template (`"key.$": "$.path"`, `$$.` context paths, intrinsic
 * functions) with the interpreter itself, through a one-state Pass machine, so the emulated
 * Distributed Map fields (ItemReader Parameters, ItemSelector, BatchInput, ResultWriter) mean
 * exactly what they mean in the rest of the definition.
 */
export async function evaluateTemplate(
  template: JsonObject,
  input: Json,
  context: JsonObject,
): Promise<Json> {
  let machine = machines.get(template);
  if (machine === undefined) {
    const definition = { StartAt: 'T', States: { T: { Type: 'Pass', Parameters: template, End: true } } };
    machine = new StateMachine(definition as unknown as Definition, {
      validationOptions: { noValidate: true },
    });
    machines.set(template, machine);
  }
  try {
    return (await machine.run(input as never, { context: context as RunContext }).result) as Json;
  } catch (error) {
    // The interpreter wraps the real error (e.g. States.Runtime for a path that matches nothing).
    throw (error as { cause?: unknown }).cause ?? error;
  }
}

/** Evaluates one JSONPath (`$.a.b`, `$$.Map.Item.Value`) against the input and context. */
export async function evaluatePath(path: string, input: Json, context: JsonObject): Promise<Json> {
  const result = (await evaluateTemplate({ 'v.$': path }, input, context)) as JsonObject;
  return result.v ?? null;
}

/**
 * Reads a simple path (`$`, `$.a.b`, `$.a[0]`, `$['a']`) synchronously, for history details
 * only; undefined when the path is anything fancier or matches nothing.
 */
export function readSimplePath(path: string, input: Json): Json | undefined {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  const tokens = path.slice(1).match(/\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\['[^']*'\]/g) ?? [];
  if (tokens.join('') !== path.slice(1)) return undefined;
  let current: Json | undefined = input;
  for (const token of tokens) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    const key = token.startsWith('.')
      ? token.slice(1)
      : token.startsWith("['")
        ? token.slice(2, -2)
        : Number(token.slice(1, -1));
    current = Array.isArray(current)
      ? typeof key === 'number'
        ? current[key]
        : undefined
      : (current as JsonObject)[String(key)];
  }
  return current;
}

/**
 * The input with the array at a simple `ItemsPath` (`$.a.b`) replaced by `[]`: an ItemSelector
 * is evaluated once per item against the state input, and the interpreter copies its input on
 * every evaluation, so leaving 100,000 items in it would make the selection quadratic.
 */
export function withoutItems(input: Json, itemsPath: string): Json {
  if (itemsPath === '$') return [];
  const keys = /^\$((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)$/.exec(itemsPath)?.[1]?.slice(1).split('.');
  if (keys === undefined) return input;
  const prune = (value: Json, depth: number): Json => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const key = keys[depth] as string;
    if (!(key in value)) return value;
    const child = value[key] as Json;
    return { ...value, [key]: depth === keys.length - 1 ? [] : prune(child, depth + 1) };
  };
  return prune(input, 0);
}
