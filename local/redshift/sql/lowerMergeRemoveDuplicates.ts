import { RedshiftSqlError } from '../commands/types.ts';
import { COMPAT_SCHEMA } from '../engine/compatFunctions.ts';
import { pgLiteral } from './pgQuote.ts';
import { isPunct, isTrivia, isWord, joinTokens, type Token, tokenize } from './tokenize.ts';

const refuse = (why: string) =>
  new RedshiftSqlError(
    `MERGE ... REMOVE DUPLICATES is not supported by the local Redshift here: ${why}`,
    '0A000',
  );

/** True for `MERGE INTO ... REMOVE DUPLICATES`. */
export function isMergeRemoveDuplicates(tokens: readonly Token[]): boolean {
  const words = tokens.filter((t) => !isTrivia(t) && !isPunct(t, ';'));
  return isWord(words[0], 'merge') && isWord(words.at(-2), 'remove') && isWord(words.at(-1), 'duplicates');
}

/**
 * `MERGE INTO target USING source [[AS] alias] ON cond REMOVE DUPLICATES` (r_MERGE, simplified
 * mode): target rows matching a source row are replaced by that source row (several target rows
 * matching one source row become one), unmatched source rows are inserted, target rows matching
 * no source row stay as they are. Both tables must have the same number of columns, in the same
 * order; a target row matching several source rows fails with Redshift's error. One statement:
 *   WITH replaced AS (DELETE FROM target USING source alias WHERE cond)
 *   INSERT INTO target SELECT * FROM source alias WHERE <checks>
 * whose checks (column counts, multiple matches) fail the whole statement before anything changes.
 */
export function lowerMergeRemoveDuplicates(tokens: readonly Token[]): Token[] {
  const at = tokens.map((t, i) => ({ t, i })).filter(({ t }) => !isTrivia(t) && !isPunct(t, ';'));
  let k = 0;
  const expect = (...words: string[]) => {
    if (!isWord(at[k]?.t, ...words))
      throw refuse(`expected ${words[0]?.toUpperCase()} near "${at[k]?.t.text ?? ''}"`);
    k++;
  };
  const name = (what: string): string => {
    const parts: string[] = [];
    for (;;) {
      const t = at[k]?.t;
      if (t === undefined || (t.kind !== 'word' && t.kind !== 'quotedIdent'))
        throw refuse(`${what} must be a table name`);
      parts.push(t.text);
      k++;
      if (!isPunct(at[k]?.t, '.')) return parts.join('.');
      k++;
    }
  };
  expect('merge');
  expect('into');
  const target = name('the target');
  expect('using');
  if (isPunct(at[k]?.t, '(')) throw refuse('the source must be a table, not a subquery');
  const source = name('the source');
  let alias = '';
  if (isWord(at[k]?.t, 'as')) k++;
  if (!isWord(at[k]?.t, 'on')) alias = ` ${name('the alias')}`;
  const on = at[k];
  expect('on');
  const remove = at.at(-2);
  if (on === undefined || remove === undefined || remove.i <= on.i + 1)
    throw refuse('MERGE needs ON condition');
  if (target.toLowerCase() === source.toLowerCase())
    throw refuse('the source and target must be different tables');
  const cond = joinTokens(tokens.slice(on.i + 1, remove.i)).trim();
  const from = `${source}${alias}`;
  const multipleMatches = `(SELECT count(*) FROM (SELECT 1 FROM ${target} JOIN ${from} ON ${cond} GROUP BY ${target}.ctid HAVING count(*) > 1) AS __merge_multiple)`;
  const check = `${COMPAT_SCHEMA}.merge_remove_duplicates_check(${pgLiteral(target)}, ${pgLiteral(source)}, ${multipleMatches})`;
  return tokenize(
    `WITH __merge_replaced AS (DELETE FROM ${target} USING ${from} WHERE ${cond}) INSERT INTO ${target} SELECT * FROM ${from} WHERE ${check}`,
  );
}
