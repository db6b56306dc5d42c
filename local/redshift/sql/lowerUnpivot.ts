import { RedshiftSqlError } from '../commands/types.ts';
import { aliasFollows, ident, rotationSource, splitTop } from './lowerPivot.ts';
import { pgIdent, pgLiteral } from './pgQuote.ts';
import {
  isPunct,
  isTrivia,
  isWord,
  joinTokens,
  matchingParen,
  nextIndex,
  type Token,
  tokenize,
} from './tokenize.ts';

const refuse = (why: string) =>
  new RedshiftSqlError(`UNPIVOT is not supported by the local Redshift here: ${why}`, '0A000');

/**
 * `FROM (SELECT ...) [alias] UNPIVOT [INCLUDE NULLS | EXCLUDE NULLS] (value FOR name IN (c1 [AS a1], ...))
 * [alias]` (r_FROM_clause-pivot-unpivot-examples): one row per source row and IN column, the
 * source's other columns first, then `name` (VARCHAR: the column's name or its alias) and `value`
 * (the columns' common type); rows whose value is NULL are skipped unless INCLUDE NULLS. As
 *   (SELECT g..., CAST('c1' AS varchar) AS name, c1 AS value FROM (SELECT ...) WHERE c1 IS NOT NULL
 *    UNION ALL ...)
 * in the IN list's order, which is the order the guide prints.
 */
export function lowerUnpivot(tokens: readonly Token[]): Token[] {
  let current = [...tokens];
  for (let guard = 0; guard < 16; guard++) {
    const at = current.findIndex((t, i) => isWord(t, 'unpivot') && startsBody(current, i));
    if (at === -1) return current;
    current = tokenize(lowerOne(current, at));
  }
  throw refuse('too many UNPIVOTs');
}

/** `UNPIVOT (` or `UNPIVOT INCLUDE|EXCLUDE NULLS (`. */
function startsBody(tokens: readonly Token[], at: number): boolean {
  const next = nextIndex(tokens, at + 1);
  if (isPunct(tokens[next], '(')) return true;
  return isWord(tokens[next], 'include', 'exclude') && isWord(tokens[nextIndex(tokens, next + 1)], 'nulls');
}

function lowerOne(tokens: Token[], at: number): string {
  const source = rotationSource(tokens, at, (why) =>
    refuse(
      why === 'the source must be a parenthesized SELECT'
        ? `${why} naming its columns (write FROM (SELECT c1, c2, ... FROM t) UNPIVOT (...))`
        : why,
    ),
  );
  let open = nextIndex(tokens, at + 1);
  let includeNulls = false;
  if (isWord(tokens[open], 'include', 'exclude')) {
    includeNulls = isWord(tokens[open], 'include');
    open = nextIndex(tokens, nextIndex(tokens, open + 1) + 1);
  }
  const end = matchingParen(tokens, open);
  if (end === -1) throw refuse('UNPIVOT needs (value FOR name IN (...))');
  const body = tokens.slice(open + 1, end).filter((t) => !isTrivia(t));
  const value = ident(body[0]);
  const name = ident(body[2]);
  if (isPunct(body[0], '(')) throw refuse('one value column per UNPIVOT');
  if (value === undefined || !isWord(body[1], 'for') || name === undefined || !isWord(body[3], 'in'))
    throw refuse('UNPIVOT needs (value FOR name IN (...))');
  if (!isPunct(body[4], '(') || matchingParen(body, 4) !== body.length - 1)
    throw refuse('UNPIVOT needs (value FOR name IN (...))');
  const items = splitTop(body.slice(5, -1)).map((item) => {
    const m = item.filter((t) => !isTrivia(t));
    const column = ident(m[0]);
    const aliasToken = isWord(m[1], 'as') ? m[2] : m[1];
    if (column === undefined || m.length > (isWord(m[1], 'as') ? 3 : 2))
      throw refuse('the IN list takes column names of the source, each with an optional alias');
    // A string alias ('r') names the value as written; a word alias as an identifier (lower case).
    const alias =
      aliasToken?.kind === 'string' ? aliasToken.text.slice(1, -1).replace(/''/g, "'") : ident(aliasToken);
    return { column, label: alias ?? column };
  });
  for (const { column } of items) {
    if (!source.columns.includes(column))
      throw new RedshiftSqlError(`column "${column}" does not exist in UNPIVOT source`, '42703');
  }
  const inList = new Set(items.map((i) => i.column));
  const implicit = source.columns.filter((c) => !inList.has(c)).map(pgIdent);
  const branches = items.map(({ column, label }) => {
    const list = [
      ...implicit,
      `CAST(${pgLiteral(label)} AS varchar) AS ${pgIdent(name)}`,
      `${pgIdent(column)} AS ${pgIdent(value)}`,
    ];
    const filter = includeNulls ? '' : ` WHERE ${pgIdent(column)} IS NOT NULL`;
    return `SELECT ${list.join(', ')} FROM (${source.text}) AS __unpivot_source${filter}`;
  });
  const hasAlias = aliasFollows(tokens, nextIndex(tokens, end + 1));
  return `${joinTokens(tokens.slice(0, source.open))}(${branches.join(' UNION ALL ')})${hasAlias ? '' : ' AS __unpivot'}${joinTokens(tokens.slice(end + 1))}`;
}
