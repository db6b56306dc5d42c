import { isTrivia, isWord, type Token } from './tokenize.ts';

type Node = Record<string, unknown>;

/** Words that end the FROM clause at parenthesis depth 0. */
const FROM_END = [
  'where',
  'group',
  'having',
  'window',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'union',
  'intersect',
  'except',
];
/** Words that end a select-list item at parenthesis depth 0. */
const ITEM_END = [
  'from',
  'into',
  'where',
  'group',
  'having',
  'order',
  'limit',
  'offset',
  'union',
  'intersect',
  'except',
  'window',
  'fetch',
  'for',
];

/**
 * The text of a SELECT nested in the statement up to its list: from its own WITH, or from its
 * SELECT keyword (the nearest one before the list, at the list's depth), to the list.
 */
export function selectHead(
  select: Node,
  text: string,
  tokens: readonly Token[],
  listStart: number,
): string | undefined {
  const withAt = (select.withClause as Node | undefined)?.location as number | undefined;
  if (withAt !== undefined) return text.slice(withAt, listStart);
  let depth = 0;
  for (let i = tokens.findIndex((t) => t.start >= listStart) - 1; i >= 0; i--) {
    const t = tokens[i] as Token;
    if (t.text === ')') depth++;
    else if (t.text === '(') depth--;
    if (depth < 0) return undefined;
    if (depth === 0 && isWord(t, 'select')) return text.slice(t.start, listStart);
  }
  return undefined;
}

/**
 * Where a select-list item is in the text: from its start to its end (alias included), and where
 * its expression ends (before `AS alias` or a bare alias).
 */
export function itemSpan(
  tokens: readonly Token[],
  item: Node,
  next: Node | undefined,
): { start: number; end: number; exprEnd: number } {
  const start = item.location as number;
  const nextStart = next?.location as number | undefined;
  let i = tokens.findIndex((t) => t.start >= start);
  if (i < 0) i = tokens.length;
  let depth = 0;
  const inItem: Token[] = [];
  for (; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    if (depth < 0 || t.kind === 'semicolon') break;
    if (depth === 0 && (t.text === ',' || (nextStart === undefined && isWord(t, ...ITEM_END)))) break;
    inItem.push(t);
  }
  const solid = inItem.filter((t) => !isTrivia(t));
  const endToken = solid[solid.length - 1];
  const end = endToken ? endToken.start + endToken.text.length : start;
  let exprEnd = end;
  if (item.name !== undefined && solid.length >= 2) {
    const aliasAt = solid.length - 1;
    const before = solid[aliasAt - 1] as Token;
    const exprLast = isWord(before, 'as') ? solid[aliasAt - 2] : before;
    if (exprLast) exprEnd = exprLast.start + exprLast.text.length;
  }
  return { start, end, exprEnd };
}

/**
 * Where the FROM clause after the select list ends: the probe keeps only the scope the columns
 * are named in (no WHERE with its parameters, no GROUP BY whose positions count the probe's list).
 */
export function fromClauseEnd(tokens: readonly Token[], from: number): number {
  let depth = 0;
  for (const t of tokens) {
    if (t.start < from) continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    // depth < 0: the closing parenthesis of a subquery in FROM.
    if (depth < 0 || t.kind === 'semicolon' || (depth === 0 && isWord(t, ...FROM_END))) return t.start;
  }
  const last = tokens[tokens.length - 1];
  return last ? last.start + last.text.length : from;
}
