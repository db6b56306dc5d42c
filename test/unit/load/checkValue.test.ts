import { describe, expect, it } from 'vitest';
import { checkValue } from '../../../src/load/checkValue.ts';
import type { TargetColumn } from '../../../src/load/targetColumns.ts';

const col = (type: string, extra: Partial<TargetColumn> = {}): TargetColumn => ({
  name: 'c',
  type,
  nullable: true,
  hasDefault: false,
  maxLength: null,
  precision: null,
  scale: null,
  ...extra,
});

describe('Function: checkValue', () => {
  it.each([
    ['integer', '42', null],
    ['integer', ' -7 ', null],
    ['integer', '4.2', '"4.2" is not an integer (integer)'],
    ['smallint', '40000', '"40000" is out of range for smallint'],
    ['bigint', '9223372036854775808', '"9223372036854775808" is out of range for bigint'],
    ['boolean', 'yes', null],
    ['boolean', 'maybe', '"maybe" is not a boolean'],
    ['double precision', '1.5e10', null],
    ['real', 'abc', '"abc" is not a number (real)'],
    ['date', '2024-02-29', null],
    ['date', '2023-02-29', '"2023-02-29" is not a date in the format YYYY-MM-DD'],
    ['timestamp without time zone', '2024-01-02 03:04:05.123', null],
    [
      'timestamp without time zone',
      '2024-01-02 25:00:00',
      '"2024-01-02 25:00:00" is not a timestamp in the format YYYY-MM-DD HH:MI:SS',
    ],
  ])('%s %j -> %j', (type, value, expected) => {
    expect(checkValue(col(type), value, {})).toBe(expected);
  });

  it('checks numeric precision, varchar bytes and NOT NULL', () => {
    const amount = col('numeric', { precision: 5, scale: 2 });
    expect(checkValue(amount, '123.456', {})).toBeNull();
    expect(checkValue(amount, '1234.5', {})).toBe('"1234.5" has too many digits for numeric(5,2)');
    const name = col('character varying', { maxLength: 3 });
    expect(checkValue(name, 'héé', {})).toBe('"héé" is 5 bytes, longer than character varying(3)');
    expect(checkValue(name, 'héé', { truncateColumns: true })).toBeNull();
    expect(checkValue(col('integer', { nullable: false }), null, {})).toBe('NULL into NOT NULL column "c"');
  });

  it('leaves custom date formats to COPY', () => {
    expect(checkValue(col('date'), '02/01/2024', { dateFormat: 'MM/DD/YYYY' })).toBeNull();
  });
});
