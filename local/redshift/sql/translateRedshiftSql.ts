import { loadModule, parseSync } from 'libpg-query';
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
import { applyEdits, COMPAT_CALLS, planEdits } from './treeEdits.ts';

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
