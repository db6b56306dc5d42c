import { RedshiftSqlError } from '../commands/types.ts';
import { COMPAT_SCHEMA } from '../engine/compatFunctions.ts';
import { lowerRedshiftStatement } from './lowerRedshiftStatement.ts';
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

const synth = (kind: Token['kind'], text: string): Token => ({ kind, text, start: -1 });
const space = () => synth('space', ' ');
const word = (text: string) => synth('word', text);
const punct = (text: string) => synth('punct', text);

/** Splits the tokens between two parentheses at top-level commas. */
function splitArgs(tokens: readonly Token[]): Token[][] {
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

const parens = (inner: Token[]): Token[] => [punct('('), ...inner, punct(')')];

interface RewriteContext {
  /** A CREATE statement: Redshift's table attributes are dropped. */
  create: boolean;
  /** A CREATE TABLE: key constraints are dropped too (Redshift never enforces them). */
  createTable: boolean;
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

const DATEPART_FUNCTIONS = new Set(['dateadd', 'datediff', 'date_part', 'date_trunc']);
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
        const replaced = rewriteCall(tokens, i, lower, callOpen, close, ctx);
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

/**
 * Key constraints in CREATE TABLE are informational on Redshift (it never enforces PRIMARY KEY,
 * UNIQUE or REFERENCES), so they are dropped: a load that would break them on PostgreSQL succeeds
 * here as it does there. Column constraints lose their words; a table constraint loses its whole
 * list entry (and the comma before it, already in `out`). Returns the index to resume at, or -1.
 */
function stripConstraint(tokens: readonly Token[], i: number, lower: string, out: Token[]): number {
  const ni = nextIndex(tokens, i + 1);
  const next = ni === -1 ? undefined : tokens[ni];
  const prev = tokens[prevIndex(tokens, i - 1)];
  const tableLevel = isPunct(prev, ',') || isPunct(prev, '(');
  const isKey =
    (lower === 'primary' && isWord(next, 'key')) ||
    (lower === 'foreign' && isWord(next, 'key')) ||
    lower === 'unique' ||
    (lower === 'constraint' &&
      next?.kind !== undefined &&
      isWord(tokens[nextIndex(tokens, ni + 1)], 'primary', 'unique', 'foreign'));
  if (tableLevel && isKey) {
    // Skip to the end of this list entry.
    let depth = 0;
    let j = i;
    for (; j < tokens.length; j++) {
      const t = tokens[j] as Token;
      if (isPunct(t, '(')) depth++;
      else if (isPunct(t, ')')) {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && isPunct(t, ',')) break;
    }
    if (isPunct(prev, ',')) {
      // Drop the comma that introduced this entry (and the trivia after it).
      while (out.length > 0 && isTrivia(out[out.length - 1] as Token)) out.pop();
      if (isPunct(out[out.length - 1], ',')) out.pop();
      return j;
    }
    // First entry of the list: drop the comma that follows it instead.
    return isPunct(tokens[j], ',') ? j + 1 : j;
  }
  if (lower === 'primary' && isWord(next, 'key')) return ni + 1;
  if (lower === 'unique' && !isPunct(next, '(')) return i + 1;
  if (lower === 'references' && next !== undefined && (next.kind === 'word' || next.kind === 'quotedIdent')) {
    let j = ni + 1;
    // schema.table
    let k = nextIndex(tokens, j);
    while (isPunct(tokens[k], '.')) {
      j = nextIndex(tokens, k + 1) + 1;
      k = nextIndex(tokens, j);
    }
    if (isPunct(tokens[k], '(')) {
      const close = matchingParen(tokens, k);
      if (close !== -1) j = close + 1;
    }
    return j;
  }
  return -1;
}

/**
 * When the word at `i` starts a Redshift table attribute, returns the index just after it (the
 * attribute is dropped); otherwise -1.
 */
function stripTableAttribute(tokens: readonly Token[], i: number, lower: string): number {
  const ni = nextIndex(tokens, i + 1);
  const next = ni === -1 ? undefined : tokens[ni];
  const afterParens = (open: number) => {
    const close = matchingParen(tokens, open);
    return close === -1 ? -1 : close + 1;
  };
  switch (lower) {
    case 'diststyle':
    case 'backup':
      return next?.kind === 'word' ? ni + 1 : -1;
    case 'encode':
      // `encode(bytes, 'hex')` is a function; the column/table attribute takes a bare word.
      return next?.kind === 'word' ? ni + 1 : -1;
    case 'distkey':
      return isPunct(next, '(') ? afterParens(ni) : i + 1;
    case 'compound':
    case 'interleaved':
      return isWord(next, 'sortkey') ? stripTableAttribute(tokens, ni, 'sortkey') : -1;
    case 'sortkey':
      if (isPunct(next, '(')) return afterParens(ni);
      if (isWord(next, 'auto')) return ni + 1;
      return i + 1;
    default:
      return -1;
  }
}

/**
 * MEDIAN and PERCENTILE_CONT as windows take only PARTITION BY (r_WF_MEDIAN, r_WF_PERCENTILE_CONT):
 * an ORDER BY or a frame in their OVER clause is an error, never a running median.
 */
function refuseOrderedWindow(tokens: readonly Token[], over: number, name: string): void {
  const open = nextIndex(tokens, over + 1);
  if (!isPunct(tokens[open], '(')) {
    throw new RedshiftSqlError(`${name} OVER a named window is not supported by the local Redshift`, '0A000');
  }
  const end = matchingParen(tokens, open);
  let depth = 0;
  for (let i = open + 1; i < end; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')')) depth--;
    else if (depth === 0 && isWord(tokens[i], 'order', 'rows', 'range')) {
      throw new RedshiftSqlError(
        `The OVER clause of ${name} takes only PARTITION BY: window ordering and frames are not supported`,
        '0A000',
      );
    }
  }
}

function rewriteCall(
  tokens: readonly Token[],
  i: number,
  lower: string,
  open: number,
  close: number,
  ctx: RewriteContext,
): { tokens: Token[]; end: number } | undefined {
  const inner = () => splitArgs(tokens.slice(open + 1, close)).map((a) => rewriteRange(a, ctx));
  switch (lower) {
    case 'varchar':
    case 'char':
    case 'character':
    case 'nvarchar':
    case 'nchar':
    case 'varying':
    case 'bpchar': {
      const args = splitArgs(tokens.slice(open + 1, close));
      const only = args.length === 1 ? args[0]?.filter((t) => !isTrivia(t)) : undefined;
      if (only?.length === 1 && isWord(only[0], 'max')) {
        const varying = lower === 'varchar' || lower === 'nvarchar' || lower === 'varying';
        const type = lower === 'varying' ? 'VARYING' : varying ? 'VARCHAR' : 'CHAR';
        const length = synth('number', varying ? '65535' : '4096');
        return { tokens: [word(type), punct('('), length, punct(')')], end: close + 1 };
      }
      return undefined;
    }
    case 'varbyte':
    case 'varbinary':
      return { tokens: [word('BYTEA')], end: close + 1 };
    case 'identity': {
      const args = splitArgs(tokens.slice(open + 1, close)).map((a) => a.filter((t) => !isTrivia(t)));
      if (args.length !== 2) return undefined;
      const [seed, step] = args.map((a) => Number(a.map((t) => t.text).join('')));
      if (seed === undefined || step === undefined || !Number.isInteger(seed) || !Number.isInteger(step)) {
        return undefined;
      }
      const bound = step >= 0 ? `MINVALUE ${Math.min(seed, 1)}` : `MAXVALUE ${Math.max(seed, -1)}`;
      const options = `(START WITH ${seed} INCREMENT BY ${step} ${bound})`;
      // `GENERATED BY DEFAULT AS IDENTITY(seed, step)` is Redshift's long form: it takes explicit
      // values. A plain `IDENTITY(seed, step)` column refuses them on Redshift ("cannot set an
      // identity column to a value"): GENERATED ALWAYS refuses them here.
      const before = tokens[prevIndex(tokens, i - 1)];
      const prefix = isWord(before, 'as') ? 'IDENTITY ' : 'GENERATED ALWAYS AS IDENTITY ';
      return { tokens: [word(prefix), synth('word', options)], end: close + 1 };
    }
    case 'ratio_to_report': {
      // RATIO_TO_REPORT(x) OVER (PARTITION BY p): x / SUM(x) over the same window, as FLOAT8.
      const args = inner();
      const o = nextIndex(tokens, close + 1);
      const w = o === -1 ? -1 : nextIndex(tokens, o + 1);
      if (args.length !== 1 || !isWord(tokens[o], 'over') || !isPunct(tokens[w], '(')) return undefined;
      const wc = matchingParen(tokens, w);
      if (wc === -1) return undefined;
      const value = [punct('('), ...(args[0] as Token[]), word(')::float8')];
      const window = rewriteRange(tokens.slice(w, wc + 1), ctx);
      return {
        tokens: [
          punct('('),
          ...value,
          word(' / SUM'),
          punct('('),
          ...value,
          punct(')'),
          word(' OVER '),
          ...window,
          punct(')'),
        ],
        end: wc + 1,
      };
    }
    case 'convert': {
      // CONVERT(type, expr) is CAST(expr AS type); PostgreSQL's own convert() takes three arguments.
      const args = splitArgs(tokens.slice(open + 1, close));
      if (args.length !== 2) return undefined;
      const type = rewriteRange(args[0] as Token[], { create: false, createTable: false });
      const value = rewriteRange(args[1] as Token[], ctx);
      return {
        tokens: [word('CAST'), punct('('), ...value, word(' AS '), ...type, punct(')')],
        end: close + 1,
      };
    }
    case 'median': {
      const args = inner();
      if (args.length !== 1) return undefined;
      if (isWord(tokens[nextIndex(tokens, close + 1)], 'over')) {
        // As a window: the compat aggregate (PostgreSQL's ordered-set aggregates take no OVER).
        refuseOrderedWindow(tokens, nextIndex(tokens, close + 1), 'MEDIAN');
        return {
          tokens: [word(`${COMPAT_SCHEMA}.median(`), ...(args[0] as Token[]), punct(')')],
          end: close + 1,
        };
      }
      return {
        tokens: [word('PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY '), ...(args[0] as Token[]), punct(')')],
        end: close + 1,
      };
    }
    case 'percentile_cont': {
      // PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x [ASC|DESC]) OVER (...): the compat aggregate.
      const within = nextIndex(tokens, close + 1);
      const group = nextIndex(tokens, within + 1);
      const groupOpen = nextIndex(tokens, group + 1);
      if (
        !isWord(tokens[within], 'within') ||
        !isWord(tokens[group], 'group') ||
        !isPunct(tokens[groupOpen], '(')
      )
        return undefined;
      const groupClose = matchingParen(tokens, groupOpen);
      const over = nextIndex(tokens, groupClose + 1);
      if (groupClose === -1 || !isWord(tokens[over], 'over')) return undefined;
      const order = nextIndex(tokens, groupOpen + 1);
      const by = nextIndex(tokens, order + 1);
      if (!isWord(tokens[order], 'order') || !isWord(tokens[by], 'by')) return undefined;
      let exprEnd = prevIndex(tokens, groupClose - 1);
      let descending = false;
      if (isWord(tokens[exprEnd], 'asc', 'desc')) {
        descending = isWord(tokens[exprEnd], 'desc');
        exprEnd = prevIndex(tokens, exprEnd - 1);
      }
      const args = inner();
      if (args.length !== 1) return undefined;
      refuseOrderedWindow(tokens, over, 'PERCENTILE_CONT');
      const fraction = args[0] as Token[];
      const value = rewriteRange(tokens.slice(by + 1, exprEnd + 1), ctx);
      return {
        tokens: [
          word(`${COMPAT_SCHEMA}.percentile_cont(`),
          ...(descending ? [word('1 - ('), ...fraction, punct(')')] : fraction),
          punct(','),
          ...value,
          punct(')'),
        ],
        end: groupClose + 1,
      };
    }
    case 'nvl':
      return { tokens: [word('COALESCE'), ...parens(joinArgs(inner()))], end: close + 1 };
    case 'nvl2': {
      const args = inner();
      if (args.length !== 3) return undefined;
      const [e, a, b] = args as [Token[], Token[], Token[]];
      // r_NVL2: mixed types give not_null_return_value's type. A string literal there is a
      // VARCHAR (PostgreSQL would read it as the other branch's type): both become VARCHAR.
      const literalFirst = a.filter((t) => !isTrivia(t)).every((t) => t.kind === 'string');
      const asVarchar = (x: Token[]) => (literalFirst ? [...parens(x), word('::varchar')] : parens(x));
      return {
        tokens: [
          word('(CASE WHEN '),
          ...parens(e),
          word(' IS NOT NULL THEN '),
          ...asVarchar(a),
          word(' ELSE '),
          ...asVarchar(b),
          word(' END)'),
        ],
        end: close + 1,
      };
    }
    case 'decode': {
      const args = inner();
      if (args.length < 3) return undefined;
      const [expr, ...rest] = args as [Token[], ...Token[][]];
      const out: Token[] = [word('(CASE')];
      let k = 0;
      for (; k + 1 < rest.length; k += 2) {
        out.push(
          word(' WHEN '),
          ...parens(expr),
          word(' IS NOT DISTINCT FROM '),
          ...parens(rest[k] as Token[]),
        );
        out.push(word(' THEN '), ...parens(rest[k + 1] as Token[]));
      }
      if (k < rest.length) out.push(word(' ELSE '), ...parens(rest[k] as Token[]));
      out.push(word(' END)'));
      return { tokens: out, end: close + 1 };
    }
    case 'listagg': {
      const args = inner();
      if (args.length < 1 || args.length > 2) return undefined;
      let value = args[0] as Token[];
      let distinct = false;
      const firstIdx = nextIndex(value, 0);
      if (firstIdx !== -1 && isWord(value[firstIdx], 'distinct')) {
        distinct = true;
        value = value.slice(nextIndex(value, firstIdx + 1));
      }
      const delimiter = args[1] ?? [synth('string', "''")];
      let end = close + 1;
      let orderBy: Token[] = [];
      // WITHIN GROUP (ORDER BY ...) moves inside the aggregate's parentheses.
      const w = nextIndex(tokens, close + 1);
      const g = w === -1 ? -1 : nextIndex(tokens, w + 1);
      const p = g === -1 ? -1 : nextIndex(tokens, g + 1);
      if (isWord(tokens[w], 'within') && isWord(tokens[g], 'group') && isPunct(tokens[p], '(')) {
        const pc = matchingParen(tokens, p);
        if (pc !== -1) {
          orderBy = [space(), ...rewriteRange(tokens.slice(p + 1, pc), ctx)];
          end = pc + 1;
        }
      }
      // NULLs and empty strings are left out; DISTINCT ignores trailing blanks and keeps the
      // first value in the group's order (r_WF_LISTAGG): the compat aggregate.
      const call = distinct
        ? [
            word(`${COMPAT_SCHEMA}.listagg_distinct`),
            punct('('),
            ...parens(value),
            word('::text'),
            punct(','),
          ]
        : [
            word('STRING_AGG'),
            punct('('),
            word('NULLIF('),
            ...parens(value),
            word("::text, '')"),
            punct(','),
          ];
      const over = nextIndex(tokens, end);
      if (isWord(tokens[over], 'over')) {
        // As a window (PARTITION BY only): the group's order becomes the window's, over the whole partition.
        refuseOrderedWindow(tokens, over, 'LISTAGG');
        const overOpen = nextIndex(tokens, over + 1);
        const overClose = matchingParen(tokens, overOpen);
        return {
          tokens: [
            ...call,
            ...delimiter,
            word(') OVER ('),
            ...rewriteRange(tokens.slice(overOpen + 1, overClose), ctx),
            ...orderBy,
            word(' ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)'),
          ],
          end: overClose + 1,
        };
      }
      return { tokens: [...call, ...delimiter, ...orderBy, punct(')')], end };
    }
    default:
      if (DATEPART_FUNCTIONS.has(lower)) {
        const args = inner();
        const part = args[0]?.filter((t) => !isTrivia(t));
        if (part?.length === 1 && part[0]?.kind === 'word') {
          args[0] = [synth('string', `'${part[0].text.toLowerCase()}'`)];
        }
        return { tokens: [tokens[i] as Token, ...parens(joinArgs(args))], end: close + 1 };
      }
      return undefined;
  }
}

function joinArgs(args: Token[][]): Token[] {
  const out: Token[] = [];
  args.forEach((a, k) => {
    if (k > 0) out.push(punct(','));
    out.push(...a);
  });
  return out;
}
