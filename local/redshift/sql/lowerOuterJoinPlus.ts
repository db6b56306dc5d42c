import { RedshiftSqlError } from '../commands/types.ts';
import { isPunct, isTrivia, isWord, joinTokens, type Token, tokenize } from './tokenize.ts';

const refuse = (why: string) =>
  new RedshiftSqlError(
    `The (+) outer join is not supported by the local Redshift here: ${why}; write it as LEFT JOIN ... ON`,
    '0A000',
  );

/** Ends a WHERE clause at its own level. */
const AFTER_WHERE = new Set([
  'group',
  'having',
  'window',
  'qualify',
  'order',
  'limit',
  'offset',
  'fetch',
  'union',
  'intersect',
  'except',
  'minus',
]);

/** Index of the `(` of a `(+)` marker at `i`, with the marker's last index. */
function marker(tokens: readonly Token[], i: number): number {
  if (!isPunct(tokens[i], '(')) return -1;
  let j = i + 1;
  while (j < tokens.length && isTrivia(tokens[j] as Token)) j++;
  if (tokens[j]?.kind !== 'operator' || tokens[j]?.text !== '+') return -1;
  j++;
  while (j < tokens.length && isTrivia(tokens[j] as Token)) j++;
  return isPunct(tokens[j], ')') ? j : -1;
}

/**
 * Oracle-style `WHERE a.x = b.y(+)` (r_WHERE_oracle_outer): the table marked with (+) is the
 * outer side of a LEFT JOIN whose ON holds every WHERE condition that carries its (+) marker:
 *   FROM a, b WHERE a.x = b.y(+) AND c   ->   FROM a LEFT JOIN b ON a.x = b.y WHERE c
 * Only the form that has one meaning is lowered: FROM is a list of plain tables, WHERE is an AND
 * of conditions, and each marked column is qualified by a table of FROM; anything else is refused.
 */
export function lowerOuterJoinPlus(tokens: readonly Token[]): Token[] {
  let current = [...tokens];
  for (let guard = 0; guard < 32; guard++) {
    const at = current.findIndex((_, i) => marker(current, i) !== -1);
    if (at === -1) return current;
    current = tokenize(lowerOne(current, at));
  }
  throw refuse('too many SELECTs with (+)');
}

function lowerOne(tokens: Token[], at: number): string {
  const depth: number[] = [];
  let d = 0;
  for (const t of tokens) {
    if (isPunct(t, ')')) d--;
    depth.push(d);
    if (isPunct(t, '(')) d++;
  }
  const level = depth[at] as number;
  let where = -1;
  for (let i = at - 1; i >= 0; i--) {
    if ((depth[i] as number) < level) break;
    if (depth[i] === level && isWord(tokens[i], 'where')) {
      where = i;
      break;
    }
  }
  if (where === -1) throw refuse('(+) is allowed only in WHERE conditions');
  let from = -1;
  for (let i = where - 1; i >= 0; i--) {
    if ((depth[i] as number) < level) break;
    if (depth[i] === level && isWord(tokens[i], 'from')) {
      from = i;
      break;
    }
  }
  if (from === -1) throw refuse('no FROM clause');
  let end = tokens.length;
  for (let i = where + 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if ((depth[i] as number) < level || t.kind === 'semicolon') {
      end = i;
      break;
    }
    if (depth[i] === level && t.kind === 'word' && AFTER_WHERE.has(t.text.toLowerCase())) {
      end = i;
      break;
    }
  }
  // FROM: plain `table [AS] [alias]` items separated by commas.
  const items: { text: string; names: string[] }[] = [];
  let current: Token[] = [];
  const flush = () => {
    const words = current.filter((t) => !isTrivia(t));
    const parts = words.filter((t) => !isWord(t, 'as'));
    const valid = parts.every(
      (t, n) => t.kind === 'word' || t.kind === 'quotedIdent' || (isPunct(t, '.') && n % 2 === 1),
    );
    if (!valid || parts.length === 0) throw refuse('FROM must list plain tables');
    const ident = (t: Token) => (t.kind === 'quotedIdent' ? t.text.slice(1, -1) : t.text.toLowerCase());
    // The name conditions qualify columns with: the alias, or the table's own (last) name.
    const names = [ident(parts.at(-1) as Token)];
    items.push({ text: joinTokens(current).trim(), names });
    current = [];
  };
  for (let i = from + 1; i < where; i++) {
    const t = tokens[i] as Token;
    if (depth[i] !== level || isPunct(t, '(')) throw refuse('FROM must list plain tables');
    if (t.kind === 'word' && ['join', 'on', 'using', 'lateral'].includes(t.text.toLowerCase()))
      throw refuse('FROM must list plain tables, not joins');
    if (isPunct(t, ',')) flush();
    else current.push(t);
  }
  flush();
  // WHERE: conditions joined by AND at this level.
  const conditions: Token[][] = [[]];
  let between = false;
  for (let i = where + 1; i < end; i++) {
    const t = tokens[i] as Token;
    if (depth[i] === level && isWord(t, 'or')) throw refuse('WHERE with OR at its top level');
    if (depth[i] === level && isWord(t, 'between')) between = true;
    if (depth[i] === level && isWord(t, 'and')) {
      if (between) between = false;
      else {
        conditions.push([]);
        continue;
      }
    }
    (conditions.at(-1) as Token[]).push(t);
  }
  const joinOn = new Map<string, string[]>();
  const rest: string[] = [];
  for (const c of conditions) {
    let outer: string | undefined;
    let text = '';
    for (let i = 0; i < c.length; i++) {
      const close = marker(c, i);
      if (close === -1) {
        text += (c[i] as Token).text;
        continue;
      }
      // The marked column `q.col`: its qualifier names the outer table.
      let p = i - 1;
      while (p >= 0 && isTrivia(c[p] as Token)) p--;
      const dot = c[p - 1];
      const qualifier = c[p - 2];
      if (!isPunct(dot, '.') || (qualifier?.kind !== 'word' && qualifier?.kind !== 'quotedIdent'))
        throw refuse('a (+) column must be qualified by its table');
      const name =
        qualifier.kind === 'quotedIdent' ? qualifier.text.slice(1, -1) : qualifier.text.toLowerCase();
      if (outer !== undefined && outer !== name) throw refuse('one condition marks two tables');
      outer = name;
      i = close;
    }
    if (outer === undefined) rest.push(text.trim());
    else joinOn.set(outer, [...(joinOn.get(outer) ?? []), text.trim()]);
  }
  for (const name of joinOn.keys()) {
    if (!items.some((it) => it.names.includes(name))) throw refuse(`${name} is not a table of FROM`);
  }
  const isOuter = (it: (typeof items)[number]) => it.names.some((n) => joinOn.has(n));
  const on = (it: (typeof items)[number]) => it.names.flatMap((n) => joinOn.get(n) ?? []).join(' AND ');
  // In FROM's order, so that `*` keeps its columns' order; an outer first table of two is the
  // right side of a RIGHT JOIN.
  const [first, ...others] = items as [(typeof items)[number], ...(typeof items)[number][]];
  let fromText: string;
  if (isOuter(first)) {
    const second = others[0];
    if (others.length !== 1 || second === undefined || isOuter(second))
      throw refuse('the first table of FROM is marked with (+)');
    fromText = `${first.text} RIGHT JOIN ${second.text} ON ${on(first)}`;
  } else {
    fromText = first.text;
    for (const it of others)
      fromText += isOuter(it) ? ` LEFT JOIN ${it.text} ON ${on(it)}` : ` CROSS JOIN ${it.text}`;
  }
  const whereText = rest.filter((r) => r !== '').length > 0 ? ` WHERE ${rest.join(' AND ')} ` : ' ';
  return `${joinTokens(tokens.slice(0, from))}FROM ${fromText}${whereText}${joinTokens(tokens.slice(end))}`;
}
