import { loadModule, parseSync } from 'libpg-query';
import { RedshiftSqlError } from '../commands/types.ts';
import { COMPAT_SCHEMA } from '../engine/compatFunctions.ts';
import { lowerIgnoreNulls } from './lowerIgnoreNulls.ts';
import { isMergeRemoveDuplicates, lowerMergeRemoveDuplicates } from './lowerMergeRemoveDuplicates.ts';
import { lowerOuterJoinPlus } from './lowerOuterJoinPlus.ts';
import { lowerPivot } from './lowerPivot.ts';
import { lowerQualify } from './lowerQualify.ts';
import { lowerSuperNavigation } from './lowerSuperNavigation.ts';
import { lowerSuperUnnest, mayUnnestSuper } from './lowerSuperUnnest.ts';
import { lowerUnpivot } from './lowerUnpivot.ts';
import { rewriteRedshiftSql } from './rewriteRedshiftSql.ts';
import { superTypedEdits } from './superTypedEdits.ts';
import { isTrivia, isWord, joinTokens, type Token, tokenize } from './tokenize.ts';

/** One Redshift statement as PostgreSQL runs it. */
export interface TranslatedStatement {
  /** The PostgreSQL statement (`:name` parameters still in place: bindParameters binds them). */
  tokens: Token[];
  /** Nothing to run locally (physical layout changes, Redshift-only settings): reported FINISHED. */
  noop: boolean;
  /** TRUNCATE: Redshift commits the open transaction before and after it. */
  implicitCommit: boolean;
  /**
   * The statement Redshift refuses inside a transaction block (`ALTER TABLE APPEND`, which also
   * commits on its own; `ALTER TABLE ALTER COLUMN`), or false.
   */
  outsideTransactionOnly: string | false;
}

let parserReady: Promise<void> | undefined;

/** Functions whose PostgreSQL result type or arguments differ from Redshift's: the compat ones replace them. */
const COMPAT_CALLS: ReadonlySet<string> = new Set([
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

/** Runs a lowering that reads parts of the statement with PostgreSQL's parser. */
async function withParser(lower: (tokens: readonly Token[]) => Token[], tokens: Token[]): Promise<Token[]> {
  await loadSqlParser();
  return lower(tokens);
}

/** Loads PostgreSQL's parser (WASM) once per process. */
export function loadSqlParser(): Promise<void> {
  parserReady ??= loadModule();
  return parserReady;
}

/**
 * The one translation of Redshift SQL into PostgreSQL, shared by the Data API, UNLOAD's query
 * and the wire endpoint. Two stages:
 * 1. Redshift-only grammar PostgreSQL's parser cannot read (TOP, table attributes, IDENTITY(s, t),
 *    VARCHAR(MAX), #temp tables, NVL/DECODE/LISTAGG...) is lowered on the token stream
 *    (rewriteRedshiftSql), which never looks inside literals, quoted names or comments.
 * 2. The result is parsed by PostgreSQL's own parser (libpg-query) and the places where the same
 *    syntax means something else on Redshift are found in the parse tree: aggregates with
 *    Redshift's result types (AVG, SUM), EXTRACT's parts and types, subqueries without an alias,
 *    an UPDATE whose target is listed again in FROM under an alias. Each becomes an edit at the
 *    node's position, so the rest of the text is run exactly as written.
 * A statement PostgreSQL's parser rejects is run unchanged so that the engine reports the syntax
 * error with its own (Redshift's) wording and position.
 */
export async function translateRedshiftSql(tokens: readonly Token[]): Promise<TranslatedStatement> {
  const key = joinTokens(tokens);
  const cached = cache.get(key);
  if (cached !== undefined) {
    // Most recently used last: the first key is the one to evict.
    cache.delete(key);
    cache.set(key, cached);
    return { ...cached, tokens: [...cached.tokens] };
  }
  const translated = await translate(tokens);
  if (key.length > CACHE_TEXT_LIMIT) return translated;
  cache.set(key, translated);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return { ...translated, tokens: [...translated.tokens] };
}

/** Translations of recent statement texts: loads and exports run the same SQL again and again. */
const cache = new Map<string, TranslatedStatement>();
const CACHE_ENTRIES = 500;
/** Longer texts (bulk INSERT ... VALUES) are not kept: they are rarely run twice. */
const CACHE_TEXT_LIMIT = 64 * 1024;

/** Words whose presence may need an edit from the parse tree (see planEdits). */
const TREE_WORDS = new Set(['update', 'extract', 'position', ...COMPAT_CALLS]);

/** True when no edit of planEdits can apply: no such word, no parenthesised query. */
function treeNotNeeded(tokens: readonly Token[]): boolean {
  let prevOpen = false;
  for (const t of tokens) {
    if (isTrivia(t)) continue;
    if (t.kind === 'word') {
      const lower = t.text.toLowerCase();
      if (
        TREE_WORDS.has(lower) ||
        (prevOpen && (lower === 'select' || lower === 'with' || lower === 'values'))
      ) {
        return false;
      }
    }
    if (t.text === '[') return false; // SUPER navigation (superTypedEdits)
    prevOpen = t.kind === 'punct' && t.text === '(';
  }
  return true;
}

/**
 * `ALTER TABLE t ALTER [COLUMN] c TYPE ...`: Redshift's ALTER TABLE documentation says a column's
 * type cannot be altered within a transaction block (BEGIN ... END).
 */
function alterColumnType(tokens: readonly Token[]): boolean {
  const words = tokens.filter((t) => !isTrivia(t)).map((t) => t.text.toLowerCase());
  if (words[0] !== 'alter' || words[1] !== 'table') return false;
  return words.some(
    (w, i) =>
      i > 1 &&
      w === 'alter' &&
      (words[i + 2] === 'type' || (words[i + 1] === 'column' && words[i + 3] === 'type')),
  );
}

async function translate(tokens: readonly Token[]): Promise<TranslatedStatement> {
  const lowered = rewriteRedshiftSql(tokens);
  const first = lowered.tokens.find((t) => !isTrivia(t));
  const append = isWord(first, 'call') && lowered.tokens.some((t) => t.text === 'alter_table_append');
  const outsideTransactionOnly = append
    ? 'ALTER TABLE APPEND'
    : alterColumnType(lowered.tokens) && 'ALTER TABLE ALTER COLUMN';
  const implicitCommit = isWord(first, 'truncate') || append;
  const flags = { implicitCommit, outsideTransactionOnly };
  if (lowered.noop)
    return { tokens: lowered.tokens, noop: true, implicitCommit: false, outsideTransactionOnly: false };
  let loweredTokens = lowered.tokens;
  if (isMergeRemoveDuplicates(loweredTokens)) loweredTokens = lowerMergeRemoveDuplicates(loweredTokens);
  if (loweredTokens.some((t) => isWord(t, 'nulls'))) loweredTokens = lowerIgnoreNulls(loweredTokens);
  if (
    loweredTokens.some(
      (t, i) => t.kind === 'operator' && t.text === '+' && loweredTokens[i - 1]?.text === '(',
    )
  )
    loweredTokens = lowerOuterJoinPlus(loweredTokens);
  if (loweredTokens.some((t) => isWord(t, 'pivot'))) {
    await loadSqlParser();
    loweredTokens = lowerPivot(loweredTokens);
  }
  if (mayUnnestSuper(loweredTokens)) loweredTokens = lowerSuperUnnest(loweredTokens);
  if (loweredTokens.some((t) => t.kind === 'punct' && t.text === ']'))
    loweredTokens = lowerSuperNavigation(loweredTokens);
  if (loweredTokens.some((t) => isWord(t, 'unpivot')))
    loweredTokens = await withParser(lowerUnpivot, loweredTokens);
  if (loweredTokens.some((t) => isWord(t, 'qualify'))) {
    await loadSqlParser();
    loweredTokens = lowerQualify(loweredTokens);
  }
  const text = joinTokens(loweredTokens);
  const relexed = tokenize(text);
  if (treeNotNeeded(relexed)) return { tokens: relexed, noop: false, ...flags };
  await loadSqlParser();
  let tree: unknown;
  try {
    tree = parseSync(parseView(relexed));
  } catch {
    return { tokens: relexed, noop: false, ...flags };
  }
  const edits = planEdits(tree, relexed);
  if (relexed.some((t) => t.text === '[')) edits.push(...superTypedEdits(tree, relexed));
  if (edits.length === 0) return { tokens: relexed, noop: false, ...flags };
  return { tokens: tokenize(applyEdits(text, edits)), noop: false, ...flags };
}

/**
 * The text PostgreSQL's parser reads, character for character as long as the statement (so that
 * node locations are offsets into it): string literals are blanked (our sessions read backslash
 * escapes, the WASM parser does not) and `:name` parameters become `$1`.
 */
function parseView(tokens: readonly Token[]): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'string') {
      const open = t.text.indexOf("'");
      out += `${t.text.slice(0, open + 1)}${' '.repeat(t.text.length - open - 2)}'`;
    } else if (t.kind === 'param') out += `$1${' '.repeat(t.text.length - 2)}`;
    else out += t.text;
  }
  return out;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

function applyEdits(text: string, edits: Edit[]): string {
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

function planEdits(tree: unknown, tokens: readonly Token[]): Edit[] {
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
  const qualifiedTarget = `${relation.schemaname ? `${quote(relation.schemaname)}.` : ''}${quote(target)}`;
  const tie = `${qualifiedTarget}.ctid = ${quote(aliases[0] as string)}.ctid`;
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

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
