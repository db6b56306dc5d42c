import { RedshiftSqlError } from '../commands/types.ts';
import { COMPAT_SCHEMA } from '../engine/compatFunctions.ts';
import { pgIdent } from './pgQuote.ts';
import { isTrivia, isWord, type Token } from './tokenize.ts';

/** One text edit of a statement, at character offsets of PostgreSQL's parse tree. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** `text` with the edits applied (offsets into `text`; they do not overlap). */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

type Node = Record<string, unknown>;

/**
 * Calls `visit(type, node)` for every typed node of the tree (`{ Type: {...} }`), not descending
 * into nodes of the `skip` types (a subquery is another scope).
 */
function walk(value: unknown, visit: (type: string, node: Node) => void, skip?: ReadonlySet<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit, skip);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as Node)) {
    const typed = /^[A-Z]/.test(key) && child !== null && typeof child === 'object' && !Array.isArray(child);
    if (typed) visit(key, child as Node);
    if (!(typed && skip?.has(key))) walk(child, visit, skip);
  }
}

const SUBQUERIES: ReadonlySet<string> = new Set(['RangeSubselect', 'SubLink', 'CommonTableExpr']);

/** Smallest and largest `location` in a subtree. */
function locations(node: unknown): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = -1;
  const scan = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) scan(x);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Node)) {
        if (k === 'location' && typeof x === 'number' && x >= 0) {
          min = Math.min(min, x);
          max = Math.max(max, x);
        } else scan(x);
      }
    }
  };
  scan(node);
  return { min, max };
}

const names = (list: unknown): string[] =>
  Array.isArray(list)
    ? list.map((n) => String((n as { String?: { sval?: string } }).String?.sval ?? ''))
    : [];

class TokenIndex {
  constructor(readonly tokens: readonly Token[]) {}

  /** Index of the token starting at `offset`, or -1. */
  at(offset: number): number {
    let lo = 0;
    let hi = this.tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = (this.tokens[mid] as Token).start;
      if (s === offset) return mid;
      if (s < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  next(from: number): number {
    for (let i = from; i < this.tokens.length; i++) if (!isTrivia(this.tokens[i] as Token)) return i;
    return -1;
  }

  prev(from: number): number {
    for (let i = from; i >= 0; i--) if (!isTrivia(this.tokens[i] as Token)) return i;
    return -1;
  }

  isPunct(i: number, text: string): boolean {
    const t = this.tokens[i];
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  /** Index of the `)` matching the `(` at `open`, or -1. */
  close(open: number): number {
    let depth = 0;
    for (let i = open; i < this.tokens.length; i++) {
      if (this.isPunct(i, '(')) depth++;
      else if (this.isPunct(i, ')')) {
        depth--;
        if (depth === 0) return i;
      }
    }
    return -1;
  }

  end(i: number): number {
    const t = this.tokens[i] as Token;
    return t.start + t.text.length;
  }
}

/**
 * The text edits that make a parsed statement run on PostgreSQL: compat calls, SQL-syntax calls
 * (EXTRACT, POSITION), UPDATE targets. `tree` is libpg-query's parse of `tokens`' text.
 */
export function planEdits(tree: unknown, tokens: readonly Token[]): Edit[] {
  const ix = new TokenIndex(tokens);
  const edits: Edit[] = [];
  let unnamed = 0;
  walk(tree, (type, node) => {
    switch (type) {
      case 'FuncCall': {
        const fn = names(node.funcname);
        const at = node.location as number;
        const i = ix.at(at);
        if (i === -1) return;
        const written = (tokens[i] as Token).text.toLowerCase();
        if (fn.length === 1 && COMPAT_CALLS.has(fn[0] as string) && written === fn[0] && !node.agg_star) {
          edits.push({ start: at, end: at + written.length, text: `${COMPAT_SCHEMA}.${written}` });
        } else if (
          fn.length === 2 &&
          fn[0] === 'pg_catalog' &&
          node.funcformat === 'COERCE_SQL_SYNTAX' &&
          written === fn[1]
        ) {
          SQL_SYNTAX_EDITS[written]?.(ix, i, edits);
        }
        return;
      }
      case 'RangeSubselect': {
        if (node.alias !== undefined) return;
        const open = subqueryParen(ix, node.subquery);
        if (open === -1) return;
        const close = ix.close(open);
        if (close === -1) return;
        unnamed++;
        edits.push({ start: ix.end(close), end: ix.end(close), text: ` AS unnamed_subquery_${unnamed}` });
        return;
      }
      case 'UpdateStmt':
        updateTargetEdits(node, ix, edits);
        return;
      default:
    }
  });
  return edits;
}

/**
 * `EXTRACT(part FROM x)` becomes `redshift_compat.extract('part', x)`: Redshift's parts (ms and
 * us are the fraction of the second) and result types (INTEGER, DOUBLE PRECISION for TIMESTAMPTZ).
 */
function extractEdits(ix: TokenIndex, nameIndex: number, edits: Edit[]): void {
  const open = ix.next(nameIndex + 1);
  if (!ix.isPunct(open, '(')) return;
  const part = ix.next(open + 1);
  const from = ix.next(part + 1);
  if (!isWord(ix.tokens[from], 'from')) return;
  const name = ix.tokens[nameIndex] as Token;
  const partToken = ix.tokens[part] as Token;
  const partText = partToken.kind === 'string' ? partToken.text : `'${partToken.text.toLowerCase()}'`;
  edits.push({ start: name.start, end: ix.end(nameIndex), text: `${COMPAT_SCHEMA}.extract` });
  edits.push({ start: partToken.start, end: ix.end(part), text: partText });
  edits.push({ start: (ix.tokens[from] as Token).start, end: ix.end(from), text: ',' });
}

/**
 * `POSITION(a IN b)` becomes `redshift_compat.position(a, b)`, which reads a DECIMAL or DATE `b`
 * as its text, as Redshift does (PostgreSQL has no position(text, numeric)).
 */
function positionEdits(ix: TokenIndex, nameIndex: number, edits: Edit[]): void {
  const open = ix.next(nameIndex + 1);
  if (!ix.isPunct(open, '(')) return;
  const close = ix.close(open);
  let depth = 0;
  for (let k = open + 1; k < close; k++) {
    if (ix.isPunct(k, '(')) depth++;
    else if (ix.isPunct(k, ')')) depth--;
    else if (depth === 0 && isWord(ix.tokens[k], 'in')) {
      const name = ix.tokens[nameIndex] as Token;
      edits.push({ start: name.start, end: ix.end(nameIndex), text: `${COMPAT_SCHEMA}.position` });
      edits.push({ start: (ix.tokens[k] as Token).start, end: ix.end(k), text: ',' });
      return;
    }
  }
}

/** Calls written in SQL syntax (`EXTRACT(part FROM x)`, `POSITION(a IN b)`) that Redshift reads otherwise. */
const SQL_SYNTAX_EDITS: Readonly<Record<string, (ix: TokenIndex, nameIndex: number, edits: Edit[]) => void>> =
  {
    extract: extractEdits,
    position: positionEdits,
  };

/** Index of the `(` that opens a subquery in FROM, or -1. */
function subqueryParen(ix: TokenIndex, subquery: unknown): number {
  const { min, max } = locations(subquery);
  if (max === -1) return -1;
  // The first `(` before the subquery's first node that closes after its last node and opens
  // a query (SELECT, WITH, VALUES or another parenthesis).
  let i = ix.prev(ix.at(min) - 1);
  for (; i >= 0; i = ix.prev(i - 1)) {
    if (!ix.isPunct(i, '(')) continue;
    const close = ix.close(i);
    const first = ix.next(i + 1);
    if (close !== -1 && (ix.tokens[close] as Token).start > max) {
      return isWord(ix.tokens[first], 'select', 'with', 'values') || ix.isPunct(first, '(') ? i : -1;
    }
  }
  return -1;
}

/**
 * Redshift: "If you need to include the target table of the UPDATE statement in the [FROM] list,
 * use an alias" -- the aliased entry is the row being updated, not a second copy of the table
 * (PostgreSQL would join every target row with it). When the target's own name is not used as a
 * qualifier anywhere, the aliased entry is tied to the target row by its ctid.
 */
function updateTargetEdits(node: Node, ix: TokenIndex, edits: Edit[]): void {
  const relation = node.relation as { relname?: string; schemaname?: string; alias?: unknown } | undefined;
  if (relation?.relname === undefined || relation.alias !== undefined || node.fromClause === undefined)
    return;
  const target = relation.relname;
  const aliases: string[] = [];
  let qualifiedByTarget = false;
  walk(
    node.fromClause,
    (type, n) => {
      if (type !== 'RangeVar') return;
      const alias = (n.alias as { aliasname?: string } | undefined)?.aliasname;
      if (n.relname === target && (n.schemaname ?? relation.schemaname) === relation.schemaname && alias) {
        aliases.push(alias);
      }
    },
    SUBQUERIES,
  );
  if (aliases.length !== 1) return;
  walk(node.fromClause, (type, n) => {
    if (type !== 'JoinExpr' || n.jointype === 'JOIN_INNER') return;
    let holdsTarget = false;
    walk(
      [n.larg, n.rarg],
      (t, r) => {
        if (t === 'RangeVar' && r.relname === target) holdsTarget = true;
      },
      SUBQUERIES,
    );
    // Redshift refuses an outer join to the target table in UPDATE's FROM.
    if (holdsTarget)
      throw new RedshiftSqlError('Target table must be part of an equijoin predicate', '0A000');
  });
  walk(node, (type, n) => {
    if (type !== 'ColumnRef') return;
    const fields = names(n.fields);
    if (fields.length >= 2 && fields[fields.length - 2] === target) qualifiedByTarget = true;
  });
  if (qualifiedByTarget) return;
  const qualifiedTarget = `${relation.schemaname ? `${pgIdent(relation.schemaname)}.` : ''}${pgIdent(target)}`;
  const tie = `${qualifiedTarget}.ctid = ${pgIdent(aliases[0] as string)}.ctid`;
  // WHERE is the last clause of a Redshift UPDATE: wrap it and add the tie.
  let where = -1;
  let depth = 0;
  for (let i = 0; i < ix.tokens.length; i++) {
    if (ix.isPunct(i, '(')) depth++;
    else if (ix.isPunct(i, ')')) depth--;
    else if (depth === 0 && isWord(ix.tokens[i], 'where')) where = i;
  }
  // After the last token that is not a comment or space (a trailing `-- note` would swallow the tie).
  const end = ix.end(ix.prev(ix.tokens.length - 1));
  if (where === -1) {
    edits.push({ start: end, end, text: ` WHERE ${tie}` });
  } else {
    const after = ix.end(where);
    edits.push({ start: after, end: after, text: ' (' });
    edits.push({ start: end, end, text: `) AND ${tie}` });
  }
}

/** Functions whose PostgreSQL result type or arguments differ from Redshift's: the compat ones replace them. */
export const COMPAT_CALLS: ReadonlySet<string> = new Set([
  'avg',
  'sum',
  'date_part',
  'json_extract_path_text',
  'json_array_length',
  // Their first argument is cast to text when it is not (SPLIT_PART on a timestamp, REPEAT on an integer).
  'split_part',
  'ltrim',
  'rtrim',
  'btrim',
  'repeat',
  'reverse',
  'left',
  'right',
  'substring',
  'strpos',
  'lpad',
  'rpad',
  'replace',
  'translate',
  'upper',
  'lower',
  'initcap',
  // Redshift's arguments (position, occurrence, option, parameters c/i/e/p); REPLACE replaces every match.
  'regexp_count',
  'regexp_instr',
  'regexp_substr',
  'regexp_replace',
  // Overflowing fields accepted unless is_strict (3-argument form); TO_CHAR prints UTC for a TIMESTAMP's TZ.
  'to_date',
  'to_timestamp',
  'to_char',
]);
