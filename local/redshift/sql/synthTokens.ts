import { isPunct, type Token } from './tokenize.ts';

/** Tokens built by the rewrites of rewriteRedshiftSql: words, punctuation, argument lists. */

/** A token made here (no source offset). */
export const synth = (kind: Token['kind'], text: string): Token => ({ kind, text, start: -1 });
export const space = () => synth('space', ' ');
export const word = (text: string) => synth('word', text);
export const punct = (text: string) => synth('punct', text);

/** Splits the tokens between two parentheses at top-level commas. */
export function splitArgs(tokens: readonly Token[]): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(') || isPunct(t, '[')) depth++;
    else if (isPunct(t, ')') || isPunct(t, ']')) depth--;
    if (depth === 0 && isPunct(t, ',')) {
      args.push([]);
      continue;
    }
    (args[args.length - 1] as Token[]).push(t);
  }
  return args;
}

export const parens = (inner: Token[]): Token[] => [punct('('), ...inner, punct(')')];

/** Joins argument lists with commas (the inverse of splitArgs). */
export function joinArgs(args: Token[][]): Token[] {
  const out: Token[] = [];
  args.forEach((a, k) => {
    if (k > 0) out.push(punct(','));
    out.push(...a);
  });
  return out;
}
