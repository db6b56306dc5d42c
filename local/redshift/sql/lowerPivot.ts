import { parseSync } from 'libpg-query';
import { RedshiftSqlError } from '../commands/types.ts';
import { columnName } from './lowerQualify.ts';
import { pgIdent } from './pgQuote.ts';
import {
  isPunct,
  isTrivia,
  isWord,
  joinTokens,
  matchingParen,
  nextIndex,
  prevIndex,
  type Token,
  tokenize,
} from './tokenize.ts';

const refuse = (why: string) =>
  new RedshiftSqlError(`PIVOT is not supported by the local Redshift here: ${why}`, '0A000');

/** The comma-separated items of a token list, commas inside parentheses kept. */
export function splitTop(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    if (depth === 0 && isPunct(t, ',')) out.push([]);
    else (out.at(-1) as Token[]).push(t);
  }
  return out;
}

/** A word (lower case) or quoted name's text; undefined for other tokens. */
export const ident = (t: Token | undefined) =>
  t?.kind === 'quotedIdent' ? t.text.slice(1, -1) : t?.kind === 'word' ? t.text.toLowerCase() : undefined;

/**
 * `FROM (SELECT ...) [alias] PIVOT (agg(arg) FOR col IN (v1 [AS a1], ...)) [AS alias]`
 * (r_FROM_clause-pivot-unpivot-examples): the source's other columns are the groups, and each
 * value a column `agg(arg) FILTER (WHERE col = v)` named after the value (or its alias), as
 *   (SELECT g..., agg(arg) FILTER (WHERE col = v1) AS "v1", ... FROM (SELECT ...) GROUP BY g...)
 * The source must be a subquery whose columns have names; one aggregate.
 */
export function lowerPivot(tokens: readonly Token[]): Token[] {
  let current = [...tokens];
  for (let guard = 0; guard < 16; guard++) {
    const at = current.findIndex(
      (t, i) => isWord(t, 'pivot') && isPunct(current[nextIndex(current, i + 1)], '('),
    );
    if (at === -1) return current;
    current = tokenize(lowerOne(current, at));
  }
  throw refuse('too many PIVOTs');
}

/** The parenthesized SELECT before a PIVOT/UNPIVOT keyword, with the names of its columns. */
export interface RotationSource {
  /** Index of the source's `(`. */
  open: number;
  /** The SELECT's text. */
  text: string;
  columns: string[];
}

/**
 * The source of `(SELECT ...) [[AS] alias] PIVOT|UNPIVOT` at `at`: it must be a parenthesized
 * SELECT that PostgreSQL can read and whose columns all have names.
 */
export function rotationSource(
  tokens: readonly Token[],
  at: number,
  refuseWith: (why: string) => Error,
): RotationSource {
  let sourceClose = prevIndex(tokens, at - 1);
  if (!isPunct(tokens[sourceClose], ')')) {
    sourceClose = prevIndex(tokens, sourceClose - 1);
    if (isWord(tokens[sourceClose], 'as')) sourceClose = prevIndex(tokens, sourceClose - 1);
  }
  if (!isPunct(tokens[sourceClose], ')')) throw refuseWith('the source must be a parenthesized SELECT');
  let sourceOpen = -1;
  for (let i = sourceClose; i >= 0; i--) {
    if (isPunct(tokens[i], '(') && matchingParen(tokens, i) === sourceClose) {
      sourceOpen = i;
      break;
    }
  }
  const source = joinTokens(tokens.slice(sourceOpen + 1, sourceClose));
  let sourceColumns: string[];
  try {
    const tree = parseSync(source) as {
      stmts?: {
        stmt?: { SelectStmt?: { targetList?: { ResTarget?: { name?: string; val?: unknown } }[] } };
      }[];
    };
    const list = tree.stmts?.[0]?.stmt?.SelectStmt?.targetList ?? [];
    sourceColumns = list.map((r) => r.ResTarget?.name ?? columnName(r.ResTarget?.val));
  } catch {
    throw refuseWith('the source must be a SELECT PostgreSQL can read');
  }
  if (sourceColumns.some((c) => c === '?column?' || c === ''))
    throw refuseWith('every column of the source needs a name');
  return { open: sourceOpen, text: source, columns: sourceColumns };
}

/** Words that may follow a FROM item and are not its alias. */
const NOT_ALIAS = new Set([
  'where',
  'group',
  'order',
  'limit',
  'having',
  'union',
  'join',
  'on',
  'left',
  'right',
  'inner',
  'full',
  'cross',
  'qualify',
  'window',
]);

/** True when the token at `afterAt` starts an alias of the FROM item before it. */
export function aliasFollows(tokens: readonly Token[], afterAt: number): boolean {
  return (
    afterAt !== -1 &&
    (isWord(tokens[afterAt], 'as') ||
      (tokens[afterAt]?.kind === 'word' && !NOT_ALIAS.has((tokens[afterAt] as Token).text.toLowerCase())) ||
      tokens[afterAt]?.kind === 'quotedIdent')
  );
}

function lowerOne(tokens: Token[], at: number): string {
  const { open: sourceOpen, text: source, columns: sourceColumns } = rotationSource(tokens, at, refuse);
  const open = nextIndex(tokens, at + 1);
  const end = matchingParen(tokens, open);
  const body = tokens.slice(open + 1, end);
  const forAt = body.findIndex((t) => isWord(t, 'for'));
  if (forAt === -1) throw refuse('PIVOT needs FOR column IN (...)');
  const aggregates = splitTop(body.slice(0, forAt));
  if (aggregates.length !== 1) throw refuse('one aggregate per PIVOT');
  const agg = joinTokens(aggregates[0] as Token[]).trim();
  const forCol = ident(body[nextIndex(body, forAt + 1)]);
  const inAt = nextIndex(body, nextIndex(body, forAt + 1) + 1);
  if (forCol === undefined || !isWord(body[inAt], 'in')) throw refuse('PIVOT needs FOR column IN (...)');
  const listOpen = nextIndex(body, inAt + 1);
  const listClose = matchingParen(body, listOpen);
  const values = splitTop(body.slice(listOpen + 1, listClose)).map((v) => {
    const m = v.filter((t) => !isTrivia(t));
    const value = m[0] as Token;
    if (value === undefined || isWord(value, 'null')) throw refuse('a NULL value in IN');
    const alias = isWord(m[1], 'as') ? ident(m[2]) : ident(m[1]);
    const name =
      alias ??
      (value.kind === 'string'
        ? value.text.slice(1, -1).replace(/''/g, "'").toLowerCase()
        : value.text.toLowerCase());
    return { value: value.text, name };
  });
  // Columns the aggregate reads are not groups.
  const aggWords = new Set(
    tokenize(agg)
      .map(ident)
      .filter((w): w is string => w !== undefined),
  );
  const groups = sourceColumns.filter((c) => c !== forCol && !aggWords.has(c));
  const columns = [
    ...groups.map(pgIdent),
    ...values.map((v) => `${agg} FILTER (WHERE ${pgIdent(forCol)} = ${v.value}) AS ${pgIdent(v.name)}`),
  ];
  const grouping = groups.length > 0 ? ` GROUP BY ${groups.map(pgIdent).join(', ')}` : '';
  // An alias after PIVOT (...) names the result; otherwise one is given.
  const hasAlias = aliasFollows(tokens, nextIndex(tokens, end + 1));
  return `${joinTokens(tokens.slice(0, sourceOpen))}(SELECT ${columns.join(', ')} FROM (${source}) AS __pivot_source${grouping})${hasAlias ? '' : ' AS __pivot'}${joinTokens(tokens.slice(end + 1))}`;
}
