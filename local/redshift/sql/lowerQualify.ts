import { parseSync } from 'libpg-query';
import { RedshiftSqlError } from '../commands/types.ts';
import { pgIdent } from './pgQuote.ts';
import { isTrivia, isWord, joinTokens, type Token, tokenize } from './tokenize.ts';

/** Words that end a QUALIFY condition at its own nesting level. */
const AFTER_QUALIFY = new Set(['order', 'limit', 'offset', 'fetch', 'union', 'intersect', 'except', 'minus']);

const refuse = (why: string) =>
  new RedshiftSqlError(`QUALIFY is not supported by the local Redshift here: ${why}`, '0A000');

/**
 * `SELECT list FROM ... QUALIFY cond [ORDER BY ...]` filters the rows after the window functions
 * are computed (r_QUALIFY_clause). PostgreSQL has no QUALIFY, so the SELECT becomes the subquery
 * that computes both the list and the condition, and the outer SELECT keeps the rows where the
 * condition holds, with the list's own names and types:
 *   SELECT q.c1 AS "name", (q.r2).* FROM (SELECT expr AS c1, ss AS r2, (cond) AS qualify
 *   FROM ...) q WHERE q.qualify [ORDER BY ...]
 * `*` and `alias.*` become whole-row references of the FROM relation (so the outer `(q.r).*`
 * expands to its columns); a `*` over several FROM relations is refused. DISTINCT applies after
 * QUALIFY, so it moves to the outer SELECT. Innermost QUALIFY first; needs the parser loaded.
 */
export function lowerQualify(tokens: readonly Token[]): Token[] {
  let current = [...tokens];
  for (let guard = 0; guard < 64; guard++) {
    const at = lastQualify(current);
    if (at === -1) return current;
    current = tokenize(lowerOne(current, at));
  }
  throw refuse('too many QUALIFY clauses');
}

function depths(tokens: readonly Token[]): number[] {
  const out: number[] = [];
  let d = 0;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ')') d--;
    out.push(d);
    if (t.kind === 'punct' && t.text === '(') d++;
  }
  return out;
}

/** The last QUALIFY keyword (a deeper one is lowered before the SELECT that holds it). */
function lastQualify(tokens: readonly Token[]): number {
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (!isWord(tokens[i], 'qualify')) continue;
    let p = i - 1;
    while (p >= 0 && isTrivia(tokens[p] as Token)) p--;
    const before = tokens[p];
    // `x.qualify`, `AS qualify`, `SELECT qualify`, `, qualify` name a column, not the clause.
    if (before?.kind === 'punct' && before.text === '.') continue;
    if (isWord(before, 'as', 'select') || (before?.kind === 'punct' && before.text === ',')) continue;
    return i;
  }
  return -1;
}

function lowerOne(tokens: Token[], q: number): string {
  const depth = depths(tokens);
  const d = depth[q] as number;
  let select = -1;
  for (let i = q - 1; i >= 0; i--) {
    if ((depth[i] as number) < d) break;
    if (depth[i] === d && isWord(tokens[i], 'select')) {
      select = i;
      break;
    }
  }
  if (select === -1) throw refuse('QUALIFY must follow a SELECT ... FROM');
  let from = -1;
  for (let i = select + 1; i < q; i++) {
    if (depth[i] === d && isWord(tokens[i], 'from')) {
      from = i;
      break;
    }
  }
  if (from === -1) throw refuse('QUALIFY needs a FROM clause');
  let end = tokens.length;
  for (let i = q + 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if ((depth[i] as number) < d || t.kind === 'semicolon') {
      end = i;
      break;
    }
    if (depth[i] === d && t.kind === 'word' && AFTER_QUALIFY.has(t.text.toLowerCase())) {
      end = i;
      break;
    }
  }
  const text = (a: number, b: number) => joinTokens(tokens.slice(a, b));
  let listStart = select + 1;
  while (listStart < from && isTrivia(tokens[listStart] as Token)) listStart++;
  let distinct = '';
  if (isWord(tokens[listStart], 'distinct', 'all')) {
    if (isWord(tokens[listStart], 'distinct')) distinct = 'DISTINCT ';
    listStart++;
  }
  const items = splitItems(tokens, listStart, from, depth, d);
  const fromItems = text(from + 1, q);
  const cond = text(q + 1, end);
  const inner: string[] = [];
  const outer: string[] = [];
  const tree = parseTargets(`SELECT ${items.map(([a, b]) => text(a, b)).join(',')} ${text(from, q)}`);
  items.forEach(([a, b], n) => {
    const target = tree.targets[n];
    const written = text(a, b).trim();
    const star = starOf(target);
    if (star !== undefined) {
      const relation = star === '' ? soleRelation(tree.from) : star;
      if (relation === undefined)
        throw refuse('use alias.* instead of * when FROM lists more than one relation');
      inner.push(`${pgIdent(relation)} AS __qualify_r${n}`);
      outer.push(`(__qualified.__qualify_r${n}).*`);
      return;
    }
    inner.push(`${target?.name === undefined ? written : withoutAlias(written)} AS __qualify_c${n}`);
    outer.push(`__qualified.__qualify_c${n} AS ${pgIdent(target?.name ?? columnName(target?.val))}`);
  });
  return `${text(0, select)}SELECT ${distinct}${outer.join(', ')} FROM (SELECT ${inner.join(', ')}, (${cond.trim()}) AS __qualify FROM${fromItems}) AS __qualified WHERE __qualified.__qualify ${text(end, tokens.length)}`;
}

/** An aliased item's expression: its text without the trailing `[AS] name`. */
function withoutAlias(item: string): string {
  const m = /\s+(?:as\s+)?(?:"(?:[^"]|"")*"|[^\s"()]+)$/i.exec(item);
  return m === null ? item : item.slice(0, m.index);
}

/** The select list's items as token ranges, split at its own commas. */
function splitItems(
  tokens: readonly Token[],
  a: number,
  b: number,
  depth: number[],
  d: number,
): [number, number][] {
  const out: [number, number][] = [];
  let start = a;
  for (let i = a; i < b; i++) {
    const t = tokens[i] as Token;
    if (depth[i] === d && t.kind === 'punct' && t.text === ',') {
      out.push([start, i]);
      start = i + 1;
    }
  }
  out.push([start, b]);
  return out;
}

type Node = Record<string, unknown>;
interface Target {
  name?: string;
  val: unknown;
}

/** Targets and FROM items of the SELECT without its QUALIFY, read by PostgreSQL's parser. */
function parseTargets(sql: string): { targets: (Target | undefined)[]; from: unknown[] } {
  let tree: { stmts?: { stmt?: { SelectStmt?: Node } }[] };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch (e) {
    throw new RedshiftSqlError((e as Error).message, '42601');
  }
  const s = tree.stmts?.[0]?.stmt?.SelectStmt;
  if (s === undefined) throw refuse('QUALIFY must follow a SELECT ... FROM');
  const list = (s.targetList as { ResTarget?: Node }[] | undefined) ?? [];
  const targets = list.map((r): Target | undefined => {
    const t = r.ResTarget;
    if (t === undefined) return undefined;
    return { name: t.name as string | undefined, val: t.val };
  });
  return { targets, from: (s.fromClause as unknown[] | undefined) ?? [] };
}

/** '' for `*`, the qualifier for `x.*`, undefined for any other target. */
function starOf(target: Target | undefined): string | undefined {
  const ref = (target?.val as { ColumnRef?: { fields?: Node[] } } | undefined)?.ColumnRef;
  const fields = ref?.fields ?? [];
  if (fields.length === 0 || fields.at(-1)?.A_Star === undefined) return undefined;
  if (fields.length === 1) return '';
  return String((fields.at(-2)?.String as { sval?: string } | undefined)?.sval ?? '');
}

/** The alias (or name) of the only relation in FROM, undefined when there are several or a join. */
function soleRelation(from: unknown[]): string | undefined {
  if (from.length !== 1) return undefined;
  const only = from[0] as { RangeVar?: Node; RangeSubselect?: Node };
  const alias = (only.RangeVar?.alias ?? only.RangeSubselect?.alias) as { aliasname?: string } | undefined;
  if (alias?.aliasname !== undefined) return alias.aliasname;
  return only.RangeVar?.relname as string | undefined;
}

/** PostgreSQL's default output name of an expression (FigureColname). */
export function columnName(val: unknown): string {
  const v = val as Record<string, Node | undefined> | undefined;
  if (v?.ColumnRef !== undefined) {
    const f = (v.ColumnRef.fields as Node[] | undefined)?.at(-1);
    return String((f?.String as { sval?: string } | undefined)?.sval ?? '?column?');
  }
  if (v?.FuncCall !== undefined) {
    const f = (v.FuncCall.funcname as Node[] | undefined)?.at(-1);
    return String((f?.String as { sval?: string } | undefined)?.sval ?? '?column?');
  }
  if (v?.TypeCast !== undefined) {
    const inner = columnName(v.TypeCast.arg);
    if (inner !== '?column?') return inner;
    const t = ((v.TypeCast.typeName as Node | undefined)?.names as Node[] | undefined)?.at(-1);
    return String((t?.String as { sval?: string } | undefined)?.sval ?? '?column?');
  }
  if (v?.CaseExpr !== undefined) return 'case';
  if (v?.CoalesceExpr !== undefined) return 'coalesce';
  return '?column?';
}
