import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../../src/errors.ts';
import { functionNameFromPlaceholder, stateMachineKindFromPlaceholder } from '../../src/naming.ts';
import { localFunctionArn, stateMachineArn } from './arns.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface SubstitutionOptions {
  region: string;
  /** The bucket for run state (Distributed Map items and results, part lists). */
  stateBucket: string;
  /** Extra or overriding `${Name}` values. */
  extra?: Record<string, string>;
}

/**
 * The one place that says what each `${Placeholder}` of a state machine file becomes locally
 * (serverless.yml's DefinitionSubstitutions do the same on AWS): `${XxxFunctionArn}` is the local
 * ARN of `functions/xxx.ts`, `${XxxStateMachineArn}` the local ARN of `statemachines/xxx.asl.yml`,
 * `${StateBucket}` the stack's state bucket.
 */
export function resolvePlaceholder(name: string, options: SubstitutionOptions): string | undefined {
  const extra = options.extra?.[name];
  if (extra !== undefined) return extra;
  if (name === 'StateBucket') return options.stateBucket;
  const fn = functionNameFromPlaceholder(name);
  if (fn !== undefined) return localFunctionArn(options.region, fn);
  const kind = stateMachineKindFromPlaceholder(name);
  if (kind !== undefined) return stateMachineArn(options.region, kind);
  return undefined;
}

/** Replaces every `${Name}` in every string of the definition; an unknown name throws. */
export function substitutePlaceholders(definition: Json, options: SubstitutionOptions, source: string): Json {
  const walk = (value: Json, path: string): Json => {
    if (typeof value === 'string') {
      return value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_match, name: string) => {
        const resolved = resolvePlaceholder(name, options);
        if (resolved === undefined) {
          throw new ConfigError(
            `${source}: unknown placeholder \${${name}} at ${path}. Use \${<Name>FunctionArn} for a function in functions/, \${<Kind>StateMachineArn} for statemachines/<kind>.asl.yml or \${StateBucket}, or pass it in the substitutions.`,
          );
        }
        return resolved;
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    }
    return value;
  };
  return walk(definition, '$');
}

/** Reads a `.asl.yml`/`.asl.json` file and substitutes its placeholders. */
export async function loadDefinitionFile(file: string, options: SubstitutionOptions): Promise<JsonObject> {
  const text = await readFile(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML/JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`${file}: a state machine definition must be an object with StartAt and States`);
  }
  return substitutePlaceholders(parsed as Json, options, file) as JsonObject;
}

/** `statemachines/*.asl.yml` -> { kind: file }, e.g. { export: '.../export.asl.yml' }. */
export async function listStateMachineFiles(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const files: Record<string, string> = {};
  for (const entry of entries.sort()) {
    const match = /^([a-z0-9-]+)\.asl\.(ya?ml|json)$/.exec(basename(entry));
    if (match?.[1] !== undefined) files[match[1]] = join(dir, entry);
  }
  return files;
}
