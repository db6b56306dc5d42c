import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { errorNames } from '../../../src/errors.ts';
import { START_EXECUTION_SYNC_RESOURCE, stateMachineKindFromPlaceholder } from '../../../src/naming.ts';

/**
 * The contract between the ASL files and the code: every state machine parses, is valid ASL,
 * stays in JSONPath, only names errors that src/errors.ts defines (or States.* / Lambda.*), and
 * only uses placeholders that deployment and the local runner can substitute.
 */

type AslValidator = (definition: object) => { isValid: boolean; errors: unknown[] };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const dir = 'statemachines';
const files = readdirSync(dir).filter((f) => f.endsWith('.asl.yml'));

/** Placeholders that are neither Lambda functions nor state machines (documented in docs/export.md). */
const NON_FUNCTION_PLACEHOLDERS = ['StateBucket'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function walk(node: Json, visit: (key: string, value: Json) => void) {
  if (Array.isArray(node)) for (const v of node) walk(v, visit);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      visit(k, v);
      walk(v, visit);
    }
  }
}

const camel = (pascal: string) => pascal.charAt(0).toLowerCase() + pascal.slice(1);

describe('State machine contract', () => {
  it('has the state machine files', () => {
    expect(files).toContain('export.asl.yml');
  });

  describe.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    // A fresh copy per check: asl-validator annotates the object it is given.
    const definition = () => parse(text) as Json;

    it('is valid ASL (asl-validator)', () => {
      const result = aslValidator(definition() as object);
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    });

    it('uses JSONPath only: no JSONata, no Assign, no Variables', () => {
      const keys: string[] = [];
      walk(definition(), (k) => keys.push(k));
      expect(keys).not.toContain('QueryLanguage');
      expect(keys).not.toContain('Assign');
      expect(keys).not.toContain('Arguments');
      expect(keys).not.toContain('Output');
      expect(text).not.toMatch(/\{%/);
    });

    it('names only known errors in Retry and Catch', () => {
      const names: string[] = [];
      walk(definition(), (k, v) => {
        if (k === 'ErrorEquals' && Array.isArray(v)) names.push(...(v as string[]));
      });
      expect(names.length).toBeGreaterThan(0);
      const unknown = names.filter(
        (n) => !(errorNames as string[]).includes(n) && !n.startsWith('States.') && !n.startsWith('Lambda.'),
      );
      expect(unknown).toEqual([]);
    });

    it('retries Lambda service errors and TransientError with full jitter on every Lambda task', () => {
      walk(definition(), (_, v) => {
        if (
          v !== null &&
          typeof v === 'object' &&
          !Array.isArray(v) &&
          v.Type === 'Task' &&
          // A child execution (startExecution.sync:2) is no Lambda call: its failure is the child's.
          v.Resource !== START_EXECUTION_SYNC_RESOURCE
        ) {
          const retry = (v.Retry ?? []) as { ErrorEquals: string[]; JitterStrategy?: string }[];
          const transient = retry.find((r) => r.ErrorEquals.includes('TransientError'));
          expect(transient, `Task ${JSON.stringify(v.Resource)} has no TransientError retry`).toBeDefined();
          expect(transient?.ErrorEquals).toEqual(
            expect.arrayContaining([
              'Lambda.ServiceException',
              'Lambda.SdkClientException',
              'Lambda.TooManyRequestsException',
            ]),
          );
          expect(transient?.JitterStrategy).toBe('FULL');
        }
      });
    });

    it('uses only placeholders that map to a handler or are documented', () => {
      const placeholders = [...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1] as string);
      for (const name of new Set(placeholders)) {
        if (NON_FUNCTION_PLACEHOLDERS.includes(name)) continue;
        const childKind = stateMachineKindFromPlaceholder(name);
        if (childKind !== undefined) {
          expect(files, `\${${name}} names statemachines/${childKind}.asl.yml`).toContain(
            `${childKind}.asl.yml`,
          );
          continue;
        }
        expect(name, `placeholder \${${name}}`).toMatch(/^[A-Z][A-Za-z0-9]*FunctionArn$/);
        const path = join('functions', `${camel(name.replace(/FunctionArn$/, ''))}.ts`);
        expect(existsSync(path), `${path} for \${${name}}`).toBe(true);
        expect(readFileSync(path, 'utf8'), `${path} exports handler`).toMatch(/export const handler\b/);
      }
    });
  });
});
