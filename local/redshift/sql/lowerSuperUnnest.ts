import { pgIdent, pgLiteral } from './pgQuote.ts';
import { isPunct, isTrivia, isWord, joinTokens, matchingParen, type Token, tokenize } from './tokenize.ts';

/** Words that end a FROM item or the FROM list. */
const ITEM_END = new Set([
  'where',
  'group',
  'order',
  'limit',
  'having',
  'qualify',
  'window',
  'union',
  'intersect',
  'except',
  'join',
  'left',
  'right',
  'inner',
  'full',
  'cross',
  'on',
  'using',
  'natural',
  'pivot',
  'unpivot',
]);

interface Unnest {
  /** Token indexes of the FROM item [start, end). */
  start: number;
  end: number;
  path: Token[];
  alias: string;
  index: string | undefined;
}

const name = (t: Token | undefined): string | undefined =>
  t?.kind === 'word' && !ITEM_END.has(t.text.toLowerCase()) && !isWord(t, 'as', 'at')
    ? t.text.toLowerCase()
    : t?.kind === 'quotedIdent'
      ? t.text.slice(1, -1).replace(/""/g, '"')
      : undefined;

/**
 * PartiQL unnesting of SUPER arrays in FROM (query-super "Unnesting"): in `FROM t c, c.c_orders o
 * [AT i]`, an item whose path starts with an earlier item's alias iterates over that array, one
 * row per element (`o`, a SUPER value) with its 0-based position (`i`):
 *   LATERAL (SELECT e AS "o", (n - 1)::int AS "i" FROM jsonb_array_elements(<array>) WITH ORDINALITY) AS "o"
 * A value that is not an array gives no rows (lax). References `o.attr` become `"o"['attr']`, and
 * `c.col.attr` (an alias, a column, an attribute) `c.col['attr']`, so that navigation reads on.
 * The aliases are the statement's, not per scope: an unnest alias reused as a table alias in
 * another scope of the same statement is read as the unnest.
 */
export function lowerSuperUnnest(tokens: readonly Token[]): Token[] {
  const tables = new Set<string>();
  const unnests: Unnest[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (isWord(tokens[i], 'from')) readFromList(tokens, i + 1, tables, unnests);
  }
  if (unnests.length === 0 && tables.size === 0) return [...tokens];
  const unnestAliases = new Set(unnests.map((u) => u.alias));
  const rewriteRefs = (range: readonly Token[]): string => {
    let out = '';
    for (let i = 0; i < range.length; i++) {
      const t = range[i] as Token;
      const prev = prevSolid(range, i - 1);
      const ident = t.kind === 'word' || t.kind === 'quotedIdent' ? name(t) : undefined;
      const qualified = prev !== undefined && isPunct(prev, '.');
      if (ident !== undefined && !qualified && unnestAliases.has(ident) && !isPunct(range[i + 1], '(')) {
        out += pgIdent(ident);
        // `o.attr` reads the element's attribute.
        if (isPunct(range[i + 1], '.') && name(range[i + 2]) !== undefined) {
          out += `[${pgLiteral(name(range[i + 2]) as string)}]`;
          i += 2;
        }
        continue;
      }
      if (
        ident !== undefined &&
        !qualified &&
        tables.has(ident) &&
        isPunct(range[i + 1], '.') &&
        name(range[i + 2]) !== undefined &&
        isPunct(range[i + 3], '.') &&
        name(range[i + 4]) !== undefined
      ) {
        // alias.column.attribute: PostgreSQL would read a schema-qualified column.
        out += `${t.text}.${(range[i + 2] as Token).text}[${pgLiteral(name(range[i + 4]) as string)}]`;
        i += 4;
        continue;
      }
      out += t.text;
    }
    return out;
  };
  let out = '';
  let at = 0;
  for (const u of unnests) {
    out += rewriteRefs(tokens.slice(at, u.start));
    const array = rewriteRefs(u.path);
    const index = u.index === undefined ? '' : `, (__n - 1)::int AS ${pgIdent(u.index)}`;
    out += `LATERAL (SELECT __e AS ${pgIdent(u.alias)}${index} FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${array}) = 'array' THEN ${array} END) WITH ORDINALITY AS __unnest(__e, __n)) AS ${pgIdent(u.alias)}`;
    at = u.end;
  }
  out += rewriteRefs(tokens.slice(at));
  return unnests.length === 0 && out === joinTokens(tokens) ? [...tokens] : tokenize(out);
}

function prevSolid(tokens: readonly Token[], from: number): Token | undefined {
  for (let i = from; i >= 0; i--) if (!isTrivia(tokens[i] as Token)) return tokens[i];
  return undefined;
}

/** Reads the comma-separated items after FROM at `start`: table aliases and unnest items. */
function readFromList(tokens: readonly Token[], start: number, tables: Set<string>, unnests: Unnest[]): void {
  let i = start;
  const aliases = new Set<string>();
  for (;;) {
    const solid: number[] = [];
    let j = i;
    // The item's tokens up to a top-level `,` or the list's end.
    for (; j < tokens.length; j++) {
      const t = tokens[j] as Token;
      if (isTrivia(t)) continue;
      if (isPunct(t, '(')) {
        const close = matchingParen(tokens, j);
        if (close === -1) return;
        solid.push(j);
        j = close;
        solid.push(j);
        continue;
      }
      if (
        isPunct(t, ',') ||
        isPunct(t, ')') ||
        isPunct(t, ';') ||
        (t.kind === 'word' && ITEM_END.has(t.text.toLowerCase()))
      )
        break;
      solid.push(j);
    }
    if (solid.length > 0)
      readItem(tokens, solid, solid[0] as number, (solid.at(-1) as number) + 1, aliases, tables, unnests);
    if (!isPunct(tokens[j], ',')) return;
    i = j + 1;
  }
}

function readItem(
  tokens: readonly Token[],
  solid: readonly number[],
  start: number,
  end: number,
  aliases: Set<string>,
  tables: Set<string>,
  unnests: Unnest[],
): void {
  const at = (k: number) => tokens[solid[k] as number];
  // The path: name (. name | [ ... ])*
  let k = 0;
  const first = name(at(0));
  if (first === undefined) {
    // A subquery or function: its alias, if any, is a table alias.
    const last = name(at(solid.length - 1));
    if (last !== undefined && solid.length > 1) aliases.add(last);
    return;
  }
  const parts = [first];
  k = 1;
  for (;;) {
    if (isPunct(at(k), '.') && name(at(k + 1)) !== undefined) {
      parts.push(name(at(k + 1)) as string);
      k += 2;
    } else if (isPunct(at(k), '[')) {
      let depth = 0;
      for (; k < solid.length; k++) {
        if (isPunct(at(k), '[')) depth++;
        else if (isPunct(at(k), ']') && --depth === 0) break;
      }
      k++;
      parts.push('[]');
    } else break;
  }
  const pathEnd = k;
  if (isWord(at(k), 'as')) k++;
  const alias = name(at(k));
  if (alias !== undefined) k++;
  let index: string | undefined;
  if (isWord(at(k), 'at') && name(at(k + 1)) !== undefined) {
    index = name(at(k + 1));
    k += 2;
  }
  if (aliases.has(first) && alias !== undefined && k === solid.length) {
    const pathTokens = tokens.slice(solid[0] as number, (solid[pathEnd - 1] as number) + 1);
    unnests.push({ start, end, path: [...pathTokens], alias, index });
    aliases.add(alias);
    return;
  }
  if (k !== solid.length) return;
  const tableAlias = alias ?? parts.at(-1);
  if (tableAlias !== undefined && tableAlias !== '[]') {
    aliases.add(tableAlias);
    tables.add(tableAlias);
  }
}

/**
 * True when the statement may unnest or navigate SUPER through a FROM alias: a FROM list with
 * several items, or a reference with three dotted parts.
 */
export function mayUnnestSuper(tokens: readonly Token[]): boolean {
  const solid = tokens.filter((t) => !isTrivia(t));
  let from = false;
  for (let i = 0; i < solid.length; i++) {
    const t = solid[i] as Token;
    if (isWord(t, 'from')) from = true;
    else if (from && isPunct(t, ',')) return true;
    if (isPunct(t, '.') && isPunct(solid[i + 2], '.') && solid[i + 1]?.kind !== 'punct') return true;
  }
  return false;
}
