import { describe, expect, it } from 'vitest';
import { inferCsvTypes, inferJsonTypes, varcharLength } from '../../../src/load/inferTypes.ts';

describe('inferCsvTypes', () => {
  it.each([
    { values: ['1', '-2', '300'], type: 'smallint' },
    { values: ['1', '40000'], type: 'integer' },
    { values: ['1', '3000000000'], type: 'bigint' },
    { values: ['99999999999999999999'], type: 'numeric(20,0)' },
    { values: ['1.5', '-12.25'], type: 'numeric(4,2)' },
    { values: ['1', '0.125'], type: 'numeric(4,3)' },
    { values: ['1.5', '2e10'], type: 'double precision' },
    { values: ['true', 'FALSE'], type: 'boolean' },
    { values: ['2024-05-01', '2024-12-31'], type: 'date' },
    { values: ['2024-05-01 10:00:00', '2024-05-01T10:00:00.123'], type: 'timestamp' },
    { values: ['2024-05-01', '2024-05-01 10:00'], type: 'timestamp' },
    { values: ['2024-05-01T10:00:00Z', '2024-05-01 10:00:00+02:00'], type: 'timestamptz' },
    { values: ['1', 'abc'], type: 'varchar(16)' },
    { values: ['true', '1'], type: 'varchar(16)' },
    { values: ['x'.repeat(17)], type: 'varchar(32)' },
    { values: ['é'.repeat(10)], type: 'varchar(32)' },
    { values: ['', ''], type: 'varchar(16)' },
    { values: ['', '7'], type: 'smallint' },
  ])('$values -> $type', ({ values, type }) => {
    expect(
      inferCsvTypes(
        ['c'],
        values.map((v) => [v]),
      ),
    ).toEqual([{ name: 'c', type }]);
  });

  it('reads only the first N records', () => {
    expect(
      inferCsvTypes(
        ['id', 'note'],
        [
          ['1', 'a'],
          ['2', 'b'],
          ['x', 'y'.repeat(100)],
        ],
        2,
      ),
    ).toEqual([
      { name: 'id', type: 'smallint' },
      { name: 'note', type: 'varchar(16)' },
    ]);
  });

  it('treats a short record as empty fields for the missing columns', () => {
    expect(inferCsvTypes(['a', 'b'], [['1'], ['2', '2024-01-01']])).toEqual([
      { name: 'a', type: 'smallint' },
      { name: 'b', type: 'date' },
    ]);
  });
});

describe('inferJsonTypes', () => {
  it('types by JSON type, keys in first-seen order; strings never become numbers', () => {
    expect(
      inferJsonTypes([
        { id: 1, price: 2.5, code: '007', ok: true, at: '2024-05-01T10:00:00Z', tags: ['a'] },
        { id: 3000000000, price: 3, code: '8', ok: null, extra: { k: 1 }, at: '2024-05-02T10:00:00Z' },
      ]),
    ).toEqual([
      { name: 'id', type: 'bigint' },
      { name: 'price', type: 'numeric(2,1)' },
      { name: 'code', type: 'varchar(16)' },
      { name: 'ok', type: 'boolean' },
      { name: 'at', type: 'timestamptz' },
      { name: 'tags', type: 'super' },
      { name: 'extra', type: 'super' },
    ]);
  });

  it('reads only the first N records', () => {
    expect(inferJsonTypes([{ a: 1 }, { a: 'text', b: 1 }], 1)).toEqual([{ name: 'a', type: 'smallint' }]);
  });
});

describe('varcharLength', () => {
  it.each([
    [0, 16],
    [16, 16],
    [17, 32],
    [1000, 1024],
    [70000, 65535],
  ])('%i bytes -> varchar(%i)', (bytes, length) => {
    expect(varcharLength(bytes)).toBe(length);
  });
});
