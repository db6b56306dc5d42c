import { SqlBuildError } from '../errors.ts';
import { type QualifiedName, quoteQualified } from './identifiers.ts';

/**
 * A load's `preSql`/`postSql` hooks: statements of the job's author run inside the load
 * transaction. Only two placeholders exist, both filled from the run, never from loaded data:
 * `{table}` (the target, quoted) and `{runId}` (letters, digits and dashes: write `'{runId}'`
 * for a string literal).
 */
export const hookPlaceholders = ['table', 'runId'] as const;

const PLACEHOLDER = /\{([^{}\s]*)\}/g;

/**
 * Offsets of the top-level semicolons of `sql` (outside '...', "...", $tag$...$tag$, -- and
 * block comments). Backslash escapes count inside '...', as Redshift reads them.
 */
function topLevelSemicolons(sql: string): { semicolons: number[]; unterminated?: string } {
  const semicolons: number[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const rest = sql.slice(i);
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (c === "'" && sql[j] === '\\') j++;
        else if (sql[j] === c) {
          if (sql[j + 1] === c) j++;
          else break;
        }
      }
      if (j >= sql.length)
        return { semicolons, unterminated: c === "'" ? 'string literal' : 'quoted identifier' };
      i = j + 1;
    } else if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) return { semicolons, unterminated: 'comment' };
      i = end + 2;
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(rest)) {
      const tag = /^\$[A-Za-z_]*\$/.exec(rest)?.[0] ?? '$$';
      const end = sql.indexOf(tag, i + tag.length);
      if (end === -1) return { semicolons, unterminated: 'dollar-quoted string' };
      i = end + tag.length;
    } else {
      if (c === ';') semicolons.push(i);
      i++;
    }
  }
  return { semicolons };
}

/** Problems of one hook statement (empty when it is one statement with known placeholders). */
export function hookIssues(sql: string): string[] {
  const issues: string[] = [];
  const { semicolons, unterminated } = topLevelSemicolons(sql);
  if (unterminated !== undefined) issues.push(`unterminated ${unterminated}`);
  const last = semicolons.at(-1);
  const trailingOnly =
    last !== undefined &&
    topLevelSemicolons(sql.slice(last + 1)).semicolons.length === 0 &&
    /^\s*$/.test(stripComments(sql.slice(last + 1)));
  if (semicolons.length > 1 || (semicolons.length === 1 && !trailingOnly))
    issues.push('holds several statements: give each one as its own list entry');
  const unknown = [...sql.matchAll(PLACEHOLDER)]
    .map((m) => m[1] ?? '')
    .filter((name) => !(hookPlaceholders as readonly string[]).includes(name));
  if (unknown.length > 0)
    issues.push(
      `unknown placeholder ${unknown.map((u) => `{${u}}`).join(', ')}; use ${hookPlaceholders.map((p) => `{${p}}`).join(' or ')}`,
    );
  return issues;
}

function stripComments(text: string): string {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** The statement with `{table}` and `{runId}` filled in and a trailing semicolon removed. */
export function renderHook(sql: string, values: { table: QualifiedName; runId: string }): string {
  if (!/^[A-Za-z0-9-]+$/.test(values.runId)) throw new SqlBuildError(`unexpected run id "${values.runId}"`);
  const filled = sql.replace(PLACEHOLDER, (whole, name: string) =>
    name === 'table' ? quoteQualified(values.table) : name === 'runId' ? values.runId : whole,
  );
  const { semicolons } = topLevelSemicolons(filled);
  const last = semicolons.at(-1);
  return (last === undefined ? filled : filled.slice(0, last)).trim();
}
