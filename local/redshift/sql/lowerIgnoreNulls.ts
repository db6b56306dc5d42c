import { RedshiftSqlError } from '../commands/types.ts';
import { COMPAT_SCHEMA } from '../engine/compatFunctions.ts';
import {
  isPunct,
  isWord,
  joinTokens,
  matchingParen,
  nextIndex,
  prevIndex,
  type Token,
  tokenize,
} from './tokenize.ts';

const FUNCTIONS = new Set(['first_value', 'last_value', 'lag', 'lead']);

/** Arguments of the call whose parentheses are `open`..`end`, split at their own commas. */
function args(tokens: readonly Token[], open: number, end: number): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < end; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')')) depth--;
    else if (depth === 0 && isPunct(tokens[i], ',')) {
      out.push(joinTokens(tokens.slice(start, i)).trim());
      start = i + 1;
    }
  }
  out.push(joinTokens(tokens.slice(start, end)).trim());
  return out;
}

/**
 * `FIRST_VALUE|LAST_VALUE|LAG|LEAD(x [, offset]) IGNORE NULLS OVER (...)` (the words also
 * accepted inside the parentheses) skip NULL values when choosing the row (r_WF_first_value,
 * r_WF_LAG). PostgreSQL 15 has no IGNORE NULLS:
 * - FIRST_VALUE/LAST_VALUE become the compat aggregates of the same name over the same window
 *   and frame: the first/last non-NULL value of the frame, NULL when there is none;
 * - LAG/LEAD(x, n) take the n-th non-NULL value of the rows before/after the current one:
 *   `redshift_compat.lag(array_agg(x) OVER (... ROWS BETWEEN UNBOUNDED PRECEDING AND 1
 *   PRECEDING), n)`.
 * RESPECT NULLS is the default: the words are dropped.
 */
export function lowerIgnoreNulls(tokens: readonly Token[]): Token[] {
  let current = [...tokens];
  for (let guard = 0; guard < 256; guard++) {
    const changed = lowerLast(current);
    if (changed === undefined) return current;
    current = tokenize(changed);
  }
  throw new RedshiftSqlError('too many IGNORE NULLS window functions in one statement', '54000');
}

/** Rewrites the last such call (innermost calls come later in the text or inside it). */
function lowerLast(tokens: Token[]): string | undefined {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i] as Token;
    if (t.kind !== 'word' || !FUNCTIONS.has(t.text.toLowerCase())) continue;
    const open = nextIndex(tokens, i + 1);
    if (!isPunct(tokens[open], '(')) continue;
    const end = matchingParen(tokens, open);
    if (end === -1) continue;
    // The words inside the parentheses, or after them.
    let mode: 'ignore' | 'respect' | undefined;
    let argsEnd = end;
    let after = nextIndex(tokens, end + 1);
    const lastIn = prevIndex(tokens, end - 1);
    const wordIn = prevIndex(tokens, lastIn - 1);
    if (isWord(tokens[lastIn], 'nulls') && isWord(tokens[wordIn], 'ignore', 'respect')) {
      mode = isWord(tokens[wordIn], 'ignore') ? 'ignore' : 'respect';
      argsEnd = wordIn;
    } else if (
      isWord(tokens[after], 'ignore', 'respect') &&
      isWord(tokens[nextIndex(tokens, after + 1)], 'nulls')
    ) {
      mode = isWord(tokens[after], 'ignore') ? 'ignore' : 'respect';
      after = nextIndex(tokens, nextIndex(tokens, after + 1) + 1);
    }
    if (mode === undefined) continue;
    const name = t.text.toLowerCase();
    const list = args(tokens, open, argsEnd);
    if (!isWord(tokens[after], 'over')) {
      throw new RedshiftSqlError(
        `syntax error: ${name.toUpperCase()} ... NULLS needs an OVER clause`,
        '42601',
      );
    }
    const overOpen = nextIndex(tokens, after + 1);
    if (!isPunct(tokens[overOpen], '(')) {
      throw new RedshiftSqlError(
        `${name.toUpperCase()} ... IGNORE NULLS OVER a named window is not supported by the local Redshift: write the window in the OVER clause`,
        '0A000',
      );
    }
    const overClose = matchingParen(tokens, overOpen);
    const window = joinTokens(tokens.slice(overOpen + 1, overClose)).trim();
    const head = joinTokens(tokens.slice(0, i));
    const tail = joinTokens(tokens.slice(overClose + 1));
    if (mode === 'respect') {
      return `${head}${name}(${list.join(', ')}) OVER (${window})${tail}`;
    }
    if (name === 'first_value' || name === 'last_value') {
      if (list.length !== 1) throw new RedshiftSqlError(`${name} takes one argument`, '42883');
      return `${head}${COMPAT_SCHEMA}.${name}(${list[0]}) OVER (${window})${tail}`;
    }
    if (list.length > 2) {
      throw new RedshiftSqlError(`${name.toUpperCase()} takes a value and an optional offset`, '42883');
    }
    if (/\b(rows|range|groups)\b/i.test(window)) {
      throw new RedshiftSqlError(`frame clause is not allowed for ${name.toUpperCase()}`, '42601');
    }
    const frame =
      name === 'lag'
        ? 'ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING'
        : 'ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING';
    const offset = list[1] ?? '1';
    return `${head}${COMPAT_SCHEMA}.${name}(array_agg(${list[0]}) OVER (${window} ${frame}), ${offset})${tail}`;
  }
  return undefined;
}
