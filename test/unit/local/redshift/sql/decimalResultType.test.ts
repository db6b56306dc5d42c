import { describe, expect, it } from 'vitest';
import {
  aggregateResultType,
  decimalResultType,
  literalDecimalType,
} from '../../../../../local/redshift/sql/decimalResultType.ts';

const d82 = { precision: 8, scale: 2 };

describe('decimalResultType (r_numeric_computations201.html)', () => {
  it('computes the page example: DECIMAL(8,2) / DECIMAL(8,2) is DECIMAL(17,9)', () => {
    expect(decimalResultType('/', d82, d82)).toEqual({ precision: 17, scale: 9 });
  });

  it('gives + - max(s1, s2) and * s1 + s2, and nothing for other operators', () => {
    expect(decimalResultType('+', d82, { precision: 5, scale: 4 })).toEqual({ precision: 11, scale: 4 });
    expect(decimalResultType('-', d82, { precision: 10, scale: 0 })).toEqual({ precision: 13, scale: 2 });
    expect(decimalResultType('*', d82, { precision: 5, scale: 4 })).toEqual({ precision: 14, scale: 6 });
    expect(decimalResultType('%', d82, d82)).toBeUndefined();
  });

  it('keeps a division scale of at least 4', () => {
    expect(decimalResultType('/', { precision: 10, scale: 0 }, { precision: 2, scale: 1 })).toEqual({
      precision: 15,
      scale: 4,
    });
  });

  it("gives no type past 38 digits (the caller keeps PostgreSQL's)", () => {
    expect(decimalResultType('*', { precision: 20, scale: 2 }, { precision: 18, scale: 2 })).toBeUndefined();
    expect(
      decimalResultType('/', { precision: 38, scale: 10 }, { precision: 38, scale: 10 }),
    ).toBeUndefined();
  });

  it('SUM and AVG are DECIMAL(38, s); a literal has its own digits', () => {
    expect(aggregateResultType(d82)).toEqual({ precision: 38, scale: 2 });
    expect(literalDecimalType('1.23')).toEqual({ precision: 3, scale: 2 });
    expect(literalDecimalType('0.5')).toEqual({ precision: 1, scale: 1 });
    expect(literalDecimalType('')).toBeUndefined();
    expect(literalDecimalType('1e5')).toBeUndefined();
  });
});
