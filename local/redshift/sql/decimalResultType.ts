/** A DECIMAL(p, s) type as Redshift computes with it. */
export interface DecimalType {
  precision: number;
  scale: number;
}

/** Redshift's largest DECIMAL precision (and scale). */
export const MAX_DECIMAL_PRECISION = 38;

/**
 * An integer operand of DECIMAL arithmetic counts as the DECIMAL that holds every value of its
 * type (r_numeric_computations201: INT2, INT4 and INT8 with DECIMAL give DECIMAL).
 */
export const INTEGER_AS_DECIMAL: Readonly<Record<'int2' | 'int4' | 'int8', DecimalType>> = {
  int2: { precision: 5, scale: 0 },
  int4: { precision: 10, scale: 0 },
  int8: { precision: 19, scale: 0 },
};

/**
 * The type of `a op b` between DECIMALs, as r_numeric_computations201 ("Precision and scale of
 * computed DECIMAL results") gives it: `+ -` scale max(s1, s2), precision
 * max(p1 - s1, p2 - s2) + 1 + scale; `*` scale s1 + s2, precision p1 + p2 + 1; `/` scale
 * max(4, s1 + p2 - s2 + 1), precision p1 - s1 + s2 + scale. Undefined past 38 digits: the page
 * caps the result there without saying which digits go, so the caller keeps PostgreSQL's type.
 */
export function decimalResultType(op: string, a: DecimalType, b: DecimalType): DecimalType | undefined {
  let scale: number;
  let precision: number;
  if (op === '+' || op === '-') {
    scale = Math.max(a.scale, b.scale);
    precision = Math.max(a.precision - a.scale, b.precision - b.scale) + 1 + scale;
  } else if (op === '*') {
    scale = a.scale + b.scale;
    precision = a.precision + b.precision + 1;
  } else if (op === '/') {
    scale = Math.max(4, a.scale + b.precision - b.scale + 1);
    precision = a.precision - a.scale + b.scale + scale;
  } else return undefined;
  if (precision > MAX_DECIMAL_PRECISION) return undefined;
  return { precision, scale };
}

/** SUM and AVG of DECIMAL(p, s) are DECIMAL(38, s) (r_SUM, r_AVG: precision 38, the argument's scale). */
export function aggregateResultType(arg: DecimalType): DecimalType {
  return { precision: MAX_DECIMAL_PRECISION, scale: arg.scale };
}

/** The DECIMAL type a numeric literal such as `1.23` has: its digits (3, 2). */
export function literalDecimalType(text: string): DecimalType | undefined {
  const m = /^[+-]?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || !/\d/.test(text)) return undefined;
  const whole = (m[1] ?? '').replace(/^0+/, '');
  const scale = (m[2] ?? '').length;
  const precision = Math.max(whole.length + scale, 1);
  if (precision > MAX_DECIMAL_PRECISION) return undefined;
  return { precision, scale };
}
