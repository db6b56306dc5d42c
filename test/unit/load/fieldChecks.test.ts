import { describe, expect, it } from 'vitest';
import { checkValue } from '../../../src/load/checkValue.ts';
import { compileFastCheck } from '../../../src/load/fieldChecks.ts';
import type { TargetColumn } from '../../../src/load/targetColumns.ts';
import { targetColumn } from '../../helpers/targetColumn.ts';

const column = (type: string, extra: Partial<TargetColumn> = {}): TargetColumn =>
  targetColumn('c', type, extra);

const fast = (c: TargetColumn, value: string, options = {}) => {
  const bytes = Buffer.from(`,${value},`);
  return compileFastCheck(c, options)(bytes, 1, bytes.length - 1);
};

describe('Function: compileFastCheck', () => {
  const table: [TargetColumn, string[], string[]][] = [
    [column('smallint'), ['0', '-12', '+9999', '00009999'], ['32767', '99999', '1.5', '', '+', ' 1', 'x']],
    [column('integer'), ['123456789', '-1', '007'], ['2147483647', '2147483648', '1e3', '--1']],
    [column('bigint'), ['123456789012345678'], ['9223372036854775807', '12a']],
    [
      column('numeric', { precision: 8, scale: 2 }),
      ['123456.78', '-0.5', '.5', '5.', '000123456', '0'],
      ['1234567', '1e3', '.', '-', 'abc', '1.2.3'],
    ],
    [column('double precision'), ['1.5e10', '-2', '.5E-3', '7.'], ['inf', 'NaN', '1e', 'e5', '1,5']],
    [
      column('date'),
      ['2024-02-29', '2023-12-31', '0100-01-01'],
      ['2023-02-29', '2024-13-01', '2024-1-01', '0000-02-29'],
    ],
    [
      column('timestamp without time zone'),
      ['2024-05-01', '2024-05-01 23:59:59', '2024-05-01 00:00:00.123456'],
      [
        '2024-05-01T10:00:00',
        '2024-05-01 24:00:00',
        '2024-05-01 10:00',
        '2024-05-01 10:00:00.1234567',
        '2024-05-01 10:00:00Z',
      ],
    ],
    [column('character varying', { maxLength: 4 }), ['abcd', 'é', ''], ['abcde', 'ééé']],
    [column('boolean'), [], ['true', 'f']],
    [column('super'), ['{"a":1}', 'anything'], []],
  ];

  it.each(table)('%o: accepts only what checkValue accepts', (c, accepted, doubtful) => {
    for (const v of accepted) {
      expect(fast(c, v), v).toBe(true);
      expect(checkValue(c, v, {}), v).toBeNull();
    }
    for (const v of doubtful) expect(fast(c, v), v).toBe(false);
  });

  it('honours trimBlanks, truncateColumns and custom formats', () => {
    const short = column('character varying', { maxLength: 3 });
    expect(fast(short, 'abc   ', { trimBlanks: true })).toBe(true);
    expect(fast(short, 'abc   ')).toBe(false);
    expect(fast(short, 'abcdef', { truncateColumns: true })).toBe(true);
    expect(fast(column('date'), '01/02/2024', { dateFormat: 'MM/DD/YYYY' })).toBe(true);
    expect(fast(column('timestamp'), 'whenever', { timeFormat: 'auto' })).toBe(true);
  });

  it('never accepts a value checkValue rejects (random numbers and dates)', () => {
    const columns = [
      column('smallint'),
      column('integer'),
      column('numeric', { precision: 5, scale: 2 }),
      column('real'),
      column('date'),
      column('timestamp'),
    ];
    const chars = '0123456789-+.e: ';
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 5000; n++) {
      let v = '';
      const len = 1 + (rand() % 20);
      for (let i = 0; i < len; i++) v += chars[rand() % chars.length];
      if (n % 3 === 0)
        v = `20${rand() % 10}${rand() % 10}-${rand() % 2}${rand() % 10}-${rand() % 4}${rand() % 10}`;
      for (const c of columns) {
        if (fast(c, v)) expect(checkValue(c, v, {}), `${c.type} ${JSON.stringify(v)}`).toBeNull();
      }
    }
  });
});
