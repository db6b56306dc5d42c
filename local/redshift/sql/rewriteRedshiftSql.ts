import { RedshiftSqlError } from '../commands/types.ts';
import { COMPAT_SCHEMA } from '../engine/compatFunctions.ts';
import { lowerRedshiftStatement } from './lowerRedshiftStatement.ts';
import { type RewriteContext, rewriteCall } from './rewriteCall.ts';
import { space, synth, word } from './synthTokens.ts';
import { stripConstraint, stripTableAttribute } from './tableClauses.ts';
import { isPunct, isTrivia, isWord, matchingParen, nextIndex, prevIndex, type Token } from './tokenize.ts';

export interface RewrittenStatement {
  tokens: Token[];
  /**
   * True when the statement has no PostgreSQL equivalent and nothing to do locally (physical
   * layout changes such as `ALTER TABLE t ALTER DISTSTYLE ALL`, `VACUUM SORT ONLY t`): the server
   * reports it FINISHED without running it.
   */
  noop: boolean;
}

/** Redshift-only session settings: SET/RESET of them is accepted and does nothing locally. */
const REDSHIFT_ONLY_SETTINGS = new Set([
  'wlm_query_slot_count',
  'enable_result_cache_for_session',
  'analyze_threshold_percent',
  'auto_analyze',
  'enable_case_sensitive_identifier',
  'json_parse_truncate_strings',
  'mv_enable_aqmv_for_session',
  'datashare_break_glass_session_var',
]);

const TABLE_ATTRIBUTE_WORDS = new Set(['diststyle', 'distkey', 'sortkey', 'encode', 'backup']);

/**
 * Rewrites one Redshift statement into PostgreSQL, token by token (never inside literals,
 * quoted identifiers or comments):
 * - table attributes with no PostgreSQL meaning are dropped: `DISTSTYLE x`, `DISTKEY [(c)]`,
 *   `[COMPOUND|INTERLEAVED] SORTKEY [(c, ...)|AUTO]`, `ENCODE x`, `BACKUP YES|NO`;
 * - `VARCHAR(MAX)` (and NVARCHAR/CHAR/VARBYTE) get Redshift's maximum length, `NVARCHAR`/`NCHAR`
 *   become `VARCHAR`/`CHAR`, `VARBYTE`/`VARBINARY` become `BYTEA`;
 * - `IDENTITY(seed, step)` becomes `GENERATED ALWAYS AS IDENTITY (START WITH seed ...)`;
 * - `SELECT TOP n` becomes `LIMIT n` at the end of its own SELECT (subqueries included);
 * - `ALTER TABLE ... ADD COLUMN ... ENCODE x` loses the encoding and adds the column;
 * - `SYSDATE` becomes `LOCALTIMESTAMP` (both are the transaction's start, sessions run in UTC);
 * - `NVL(...)` becomes `COALESCE(...)`, `NVL2(e, a, b)` and `DECODE(e, s1, r1, ..., d)` become
 *   CASE expressions, `LISTAGG(x, d) WITHIN GROUP (ORDER BY o)` becomes `STRING_AGG(x::text, d
 *   ORDER BY o)`;
 * - a bare date part (`DATEADD(day, 1, d)`) becomes a string (`DATEADD('day', 1, d)`) for the
 *   compat functions;
 * - `ALTER TABLE ... ALTER DISTSTYLE|DISTKEY|SORTKEY|ENCODE`, `VACUUM ... SORT ONLY|DELETE ONLY|
 *   REINDEX|TO n PERCENT` and `ANALYZE COMPRESSION` are no-ops.
 */
export function rewriteRedshiftSql(tokens: readonly Token[]): RewrittenStatement {
  const statement = lowerRedshiftStatement(tokens);
  if (statement !== undefined) return { tokens: statement, noop: false };
  const first = nextIndex(tokens, 0);
  const firstWord = first === -1 ? '' : (tokens[first] as Token).text.toLowerCase();
  const meaningful = tokens.filter((t) => !isTrivia(t));
  const words = meaningful.filter((t) => t.kind === 'word').map((t) => t.text.toLowerCase());

  // ALTER TABLE ... ADD [COLUMN] c type ENCODE x adds the column (the encoding is physical);
  // every other ALTER TABLE naming a physical attribute (ALTER DISTSTYLE, ALTER SORTKEY,
  // ALTER COLUMN c ENCODE x) changes only the layout.
  const alterTable = firstWord === 'alter' && words[1] === 'table';
  const addsColumn = alterTable && words.includes('add') && !words.includes('constraint');
  if (alterTable && !addsColumn && words.some((w) => TABLE_ATTRIBUTE_WORDS.has(w))) {
    return { tokens: [...tokens], noop: true };
  }
  if (
    firstWord === 'vacuum' &&
    words.some((w) => ['sort', 'delete', 'reindex', 'recluster', 'boost', 'percent'].includes(w))
  ) {
    return { tokens: [...tokens], noop: true };
  }
  if (firstWord === 'analyze' && words[1] === 'compression') return { tokens: [...tokens], noop: true };
  if (
    firstWord === 'analyze' &&
    words.at(-1) === 'columns' &&
    ['predicate', 'all'].includes(words.at(-2) ?? '')
  ) {
    // ANALYZE t PREDICATE COLUMNS | ALL COLUMNS: PostgreSQL analyzes every column.
    const cut = tokens.lastIndexOf(meaningful.at(-2) as Token);
    return { tokens: tokens.slice(0, cut), noop: false };
  }

  if ((firstWord === 'set' || firstWord === 'reset') && REDSHIFT_ONLY_SETTINGS.has(words[1] ?? '')) {
    return { tokens: [...tokens], noop: true };
  }
  const create = firstWord === 'create' || addsColumn;
  const beforeParen = meaningful.slice(0, meaningful.findIndex((t) => isPunct(t, '(')) >>> 0);
  const createTable = create && beforeParen.slice(1, 5).some((t) => isWord(t, 'table'));
  const ctx: RewriteContext = { create, createTable };
  return { tokens: rewriteRange(lowerTop(tokens), ctx), noop: false };
}

const SET_OPERATIONS = new Set(['union', 'intersect', 'except', 'minus']);

/**
 * `SELECT [DISTINCT|ALL] TOP n ...` becomes `SELECT ... LIMIT n` at the end of that SELECT, at
 * every nesting level (a subquery's TOP limits the subquery, as on Redshift). A TOP whose SELECT
 * is followed by a set operation has no LIMIT position with the same meaning: refused.
 */
function lowerTop(tokens: readonly Token[]): Token[] {
  const out = [...tokens];
  for (let i = out.length - 1; i >= 0; i--) {
    const t = out[i] as Token;
    if (!isWord(t, 'top')) continue;
    let before = prevIndex(out, i - 1);
    if (isWord(out[before], 'distinct', 'all')) before = prevIndex(out, before - 1);
    const ni = nextIndex(out, i + 1);
    const count = ni === -1 ? undefined : out[ni];
    if (!isWord(out[before], 'select') || count?.kind !== 'number') continue;
    let depth = 0;
    let end = ni + 1;
    for (; end < out.length; end++) {
      const e = out[end] as Token;
      if (isPunct(e, '(')) depth++;
      else if (isPunct(e, ')')) {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && isWord(e, ...SET_OPERATIONS)) {
        throw new RedshiftSqlError(
          `TOP together with ${e.text.toUpperCase()} is not supported by the local Redshift: put the SELECT with TOP in parentheses.`,
          '0A000',
        );
      }
    }
    out.splice(end, 0, space(), word('LIMIT'), space(), count);
    out.splice(i, ni + 1 - i);
  }
  return out;
}

function rewriteRange(tokens: readonly Token[], ctx: RewriteContext): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (t.kind === 'operator' && t.text === '#' && tokens[i + 1]?.kind === 'word') {
      // Redshift's #name temp tables: a quoted identifier here, created as a TEMP table.
      const before = tokens[prevIndex(tokens, i - 1)];
      if (isWord(before, 'table', 'from', 'join', 'into', 'update', 'like') || isPunct(before, ',')) {
        if (ctx.createTable && isWord(before, 'table')) {
          const at = out.lastIndexOf(before as Token);
          if (at !== -1) out.splice(at, 0, word('TEMP'), space());
        }
        out.push(synth('quotedIdent', `"#${(tokens[i + 1] as Token).text}"`));
        i += 2;
        continue;
      }
    }
    if (t.kind !== 'word') {
      out.push(t);
      i++;
      continue;
    }
    const lower = t.text.toLowerCase();
    const prev = tokens[prevIndex(tokens, i - 1)];
    const qualified = isPunct(prev, '.');
    const ni = nextIndex(tokens, i + 1);
    const next = ni === -1 ? undefined : tokens[ni];
    const callOpen = isPunct(next, '(') ? ni : -1;

    if (ctx.create && !qualified) {
      const stripped = stripTableAttribute(tokens, i, lower);
      if (stripped !== -1) {
        i = stripped;
        continue;
      }
    }
    if (ctx.createTable && !qualified) {
      const end = stripConstraint(tokens, i, lower, out);
      if (end !== -1) {
        i = end;
        continue;
      }
    }
    if (!qualified && lower === 'approximate' && isWord(next, 'count')) {
      i++; // APPROXIMATE COUNT(DISTINCT x): an exact count is a fine approximation.
      continue;
    }
    if (!qualified && callOpen !== -1) {
      const close = matchingParen(tokens, callOpen);
      if (close !== -1) {
        const replaced = rewriteCall(tokens, i, lower, callOpen, close, ctx, rewriteRange);
        if (replaced) {
          out.push(...replaced.tokens);
          i = replaced.end;
          continue;
        }
      }
    }

    if (
      !qualified &&
      lower === 'information_schema' &&
      isPunct(next, '.') &&
      isWord(tokens[nextIndex(tokens, ni + 1)], 'columns')
    ) {
      // Redshift's data_type for SUPER and VARBYTE columns (see COMPAT_FUNCTIONS_DDL).
      out.push(word(COMPAT_SCHEMA));
      i++;
      continue;
    }
    if (!qualified && lower === 'sysdate' && callOpen === -1) {
      out.push(word('LOCALTIMESTAMP'));
      i++;
      continue;
    }
    if (
      !qualified &&
      lower === 'super' &&
      (ctx.create || (prev?.kind === 'operator' && prev.text === '::'))
    ) {
      // SUPER holds semi-structured values: jsonb (JSON_PARSE makes them, JSON_SERIALIZE prints them).
      out.push(word('JSONB'));
      i++;
      continue;
    }
    if (!qualified && (lower === 'nvarchar' || lower === 'nchar')) {
      out.push(word(lower === 'nvarchar' ? 'VARCHAR' : 'CHAR'));
      i++;
      continue;
    }
    out.push(t);
    i++;
  }
  return out;
}
