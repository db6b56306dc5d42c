import { describe, expect, it } from 'vitest';
import { checkValue } from '../../../src/load/checkValue.ts';
import type { TargetColumn } from '../../../src/load/targetColumns.ts';
import { targetColumn } from '../../helpers/targetColumn.ts';

const col = (type: string, extra: Partial<TargetColumn> = {}): TargetColumn => targetColumn('c', type, extra);

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

  it('judges custom date formats by the rule COPY uses', () => {
    expect(checkValue(col('date'), '02/01/2024', { dateFormat: 'MM/DD/YYYY' })).toBeNull();
    expect(checkValue(col('date'), '2024-02-01', { dateFormat: 'MM/DD/YYYY' })).toBe(
      '"2024-02-01" is not a date in the format MM/DD/YYYY',
    );
  });

  it.each([
    '2019-02-11T05:09:12.195Z',
    '2013-01-01T06:00:00Z',
    '2013-01-01T06:00:00.000Z',
    '1997-12-17 07:37:16-08',
    '2020-01-01T10:00:00+05:30',
    '1996-01-08 04:05:06.789',
    '19960108 040809',
  ])('accepts ISO 8601 and the other auto shapes AWS documents under timeFormat auto: %s', (value) => {
    for (const type of ['timestamp', 'timestamp with time zone'])
      expect(checkValue(col(type), value, { timeFormat: 'auto' })).toBeNull();
    // A DATE column takes the date of a timestamp under dateformat auto.
    if (value.includes('-')) expect(checkValue(col('date'), value, { dateFormat: 'auto' })).toBeNull();
  });

  it('refuses under auto what no auto shape matches, with the exact message', () => {
    expect(checkValue(col('timestamp'), '2019-13-11T05:09:12Z', { timeFormat: 'auto' })).toBe(
      '"2019-13-11T05:09:12Z" is not a timestamp in the format auto',
    );
  });

  it('honours epoch seconds and milliseconds', () => {
    expect(checkValue(col('timestamp'), '1549861752195', { timeFormat: 'epochmillisecs' })).toBeNull();
    expect(checkValue(col('timestamp'), '1549861752', { timeFormat: 'epochsecs' })).toBeNull();
    expect(checkValue(col('timestamp'), '2019-02-11', { timeFormat: 'epochsecs' })).toBe(
      '"2019-02-11" is not a timestamp in the format epochsecs',
    );
  });
});
