import { describe, expect, it } from 'vitest';
import { statementsOf } from '../../../cli/commands/sql.ts';
import { explainSqlError, formatCsv, formatJsonLines, formatTable } from '../../../cli/formatResult.ts';

const result = {
  columns: ['id', 'name', 'price'],
  rows: [
    [1, 'a, "quoted"', 10.5],
    [22, null, 3],
    [333, 'two\nlines', null],
  ],
};

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers, shows NULL and escapes line breaks', () => {
    expect(formatTable(result)).toBe(
      [
        'id  | name        | price',
        '----+-------------+------',
        '  1 | a, "quoted" |  10.5',
        ' 22 | NULL        |     3',
        '333 | two\\nlines  |  NULL',
        '',
      ].join('\n'),
    );
  });

  it('prints the header of an empty result', () => {
    expect(formatTable({ columns: ['n'], rows: [] })).toBe('n\n-\n');
  });
});

describe('formatCsv / formatJsonLines', () => {
  it('quotes fields with separators, quotes, line breaks or edge spaces; NULL is empty', () => {
    expect(formatCsv(result)).toBe('id,name,price\n1,"a, ""quoted""",10.5\n22,,3\n333,"two\nlines",\n');
  });

  it('writes one object per row', () => {
    expect(formatJsonLines(result).split('\n')[1]).toBe('{"id":22,"name":null,"price":3}');
  });
});

describe('explainSqlError', () => {
  it('points at the character of Position on its line', () => {
    expect(
      explainSqlError('select a\nfrom t where x = 1', 'ERROR: column "x" does not exist Position: 23'),
    ).toBe(
      'ERROR: column "x" does not exist Position: 23\nLINE 2: from t where x = 1\n                     ^',
    );
  });

  it('returns the message unchanged without a usable position', () => {
    expect(explainSqlError('select 1', 'ERROR: boom')).toBe('ERROR: boom');
    expect(explainSqlError('select 1', 'ERROR: boom Position: 99')).toBe('ERROR: boom Position: 99');
  });
});

describe('statementsOf', () => {
  it('splits at top-level semicolons only', () => {
    expect(statementsOf("select ';' as a; -- c;\n select $$x;y$$ ;;  ")).toEqual([
      "select ';' as a",
      '-- c;\n select $$x;y$$',
    ]);
  });
});
