import { describe, expect, it } from 'vitest';
import {
  joinTokens,
  SqlTokenizeError,
  splitStatements,
  tokenize,
} from '../../../../../local/redshift/sql/tokenize.ts';

const kinds = (sql: string) =>
  tokenize(sql)
    .filter((t) => t.kind !== 'space')
    .map((t) => [t.kind, t.text]);

describe('tokenize', () => {
  it('round-trips the input exactly', () => {
    const sql =
      "select 'a''b', E'x\\'y', \"Col\"\"1\", $$a;b$$, $t$x$t$ -- c\n/* a /* nested */ b */ from t where x = :p and y::int > $1;";
    expect(joinTokens(tokenize(sql))).toBe(sql);
  });

  it('reads backslash escapes in every literal, as Redshift does', () => {
    expect(kinds("select 'it\\'s', 'a\\\\' , 'b'")).toEqual([
      ['word', 'select'],
      ['string', "'it\\'s'"],
      ['punct', ','],
      ['string', "'a\\\\'"],
      ['punct', ','],
      ['string', "'b'"],
    ]);
  });

  it('tells parameters from casts, literals, identifiers and comments', () => {
    expect(kinds('select :a, x::text, \':b\', ":c" -- :d\n/* :e */ from t where id=:id_2')).toEqual([
      ['word', 'select'],
      ['param', ':a'],
      ['punct', ','],
      ['word', 'x'],
      ['operator', '::'],
      ['word', 'text'],
      ['punct', ','],
      ['string', "':b'"],
      ['punct', ','],
      ['quotedIdent', '":c"'],
      ['comment', '-- :d'],
      ['comment', '/* :e */'],
      ['word', 'from'],
      ['word', 't'],
      ['word', 'where'],
      ['word', 'id'],
      ['operator', '='],
      ['param', ':id_2'],
    ]);
  });

  it('splits statements at top-level semicolons only', () => {
    const statements = splitStatements(
      tokenize("select ';'; create function f() returns int as $$ select 1; $$ language sql;  ; -- end"),
    );
    expect(statements.map((s) => joinTokens(s).trim())).toEqual([
      "select ';'",
      'create function f() returns int as $$ select 1; $$ language sql',
    ]);
  });

  it('rejects unterminated literals, identifiers and comments with the position', () => {
    expect(() => tokenize("select 'abc")).toThrow(new SqlTokenizeError('unterminated quoted string', 7));
    expect(() => tokenize('select "abc')).toThrow('unterminated quoted identifier');
    expect(() => tokenize('select /* a /* b */')).toThrow('unterminated /* comment');
    expect(() => tokenize('select $q$ a')).toThrow('unterminated dollar-quoted string $q$');
  });
});
