import type { CopyOptions } from '../job/loadJob.ts';
import { isCharacterType } from './checkValue.ts';
import type { TargetColumn } from './targetColumns.ts';

/**
 * A fast acceptance test for one column's non-NULL values, on the value's UTF-8 bytes
 * `buf[start..end)`: true means checkValue would certainly accept the value; false means "ask
 * checkValue" (which gives the exact reason, or accepts what this test could not judge). The
 * common shapes (plain integers, decimals, ISO dates and timestamps, short strings) are judged
 * without decoding a string or running a regular expression.
 */
export type FastCheck = (buf: Uint8Array, start: number, end: number) => boolean;

const always: FastCheck = () => true;
const never: FastCheck = () => false;

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

export function compileFastCheck(
  column: TargetColumn,
  options: Partial<Pick<CopyOptions, 'dateFormat' | 'timeFormat' | 'truncateColumns' | 'trimBlanks'>>,
): FastCheck {
  switch (column.type) {
    case 'smallint':
      return integerCheck(4);
    case 'integer':
      return integerCheck(9);
    case 'bigint':
      return integerCheck(18);
    case 'numeric':
    case 'decimal': {
      const maxIntegerDigits = column.precision === null ? Infinity : column.precision - (column.scale ?? 0);
      return (buf, start, end) => {
        const digits = decimalDigits(buf, start, end, false);
        return digits >= 0 && digits <= maxIntegerDigits;
      };
    }
    case 'real':
    case 'double precision':
      return (buf, start, end) => decimalDigits(buf, start, end, true) >= 0;
    case 'date':
      if (options.dateFormat !== undefined && options.dateFormat.toUpperCase() !== 'YYYY-MM-DD')
        return always;
      return (buf, start, end) => end - start === 10 && isoDate(buf, start);
    case 'timestamp without time zone':
    case 'timestamp with time zone':
    case 'timestamp':
    case 'timestamptz':
      if (options.timeFormat !== undefined && options.timeFormat.toUpperCase() !== 'YYYY-MM-DD HH:MI:SS') {
        return always;
      }
      return isoTimestamp;
    case 'boolean':
      return never;
    default: {
      if (!isCharacterType(column.type)) return always;
      const max = column.maxLength;
      if (max === null || options.truncateColumns) return always;
      if (!options.trimBlanks) return (_buf, start, end) => end - start <= max;
      return (buf, start, end) => {
        let e = end;
        while (e > start && buf[e - 1] === 0x20) e--;
        return e - start <= max;
      };
    }
  }
}

/** `[+-]?digits` with at most `maxDigits` significant digits (so certainly in range). */
function integerCheck(maxDigits: number): FastCheck {
  return (buf, start, end) => {
    let p = start;
    const c0 = buf[p];
    if (c0 === 0x2b || c0 === 0x2d) p++;
    if (p >= end) return false;
    while (p < end - 1 && buf[p] === 0x30) p++;
    if (end - p > maxDigits) return false;
    for (; p < end; p++) if (!isDigit(buf[p])) return false;
    return true;
  };
}

/**
 * `[+-]?(digits[.digits]|.digits)` (and `e[+-]digits` when `exponent`): the count of integer
 * digits without leading zeros, or -1 when the text has another shape.
 */
function decimalDigits(buf: Uint8Array, start: number, end: number, exponent: boolean): number {
  let p = start;
  const c0 = buf[p];
  if (c0 === 0x2b || c0 === 0x2d) p++;
  while (p < end && buf[p] === 0x30) p++;
  const intStart = p;
  while (p < end && isDigit(buf[p])) p++;
  const integerDigits = p - intStart;
  let any = integerDigits > 0 || (intStart > start && buf[intStart - 1] === 0x30);
  if (p < end && buf[p] === 0x2e) {
    p++;
    const fracStart = p;
    while (p < end && isDigit(buf[p])) p++;
    if (p > fracStart) any = true;
  }
  if (!any) return -1;
  if (exponent && p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
    p++;
    if (p < end && (buf[p] === 0x2b || buf[p] === 0x2d)) p++;
    const expStart = p;
    while (p < end && isDigit(buf[p])) p++;
    if (p === expStart) return -1;
  }
  return p === end ? integerDigits : -1;
}

function two(buf: Uint8Array, p: number): number {
  const a = buf[p];
  const b = buf[p + 1];
  if (!isDigit(a) || !isDigit(b)) return -1;
  return ((a as number) - 0x30) * 10 + ((b as number) - 0x30);
}

/** `YYYY-MM-DD` at `p`, a real calendar day. */
function isoDate(buf: Uint8Array, p: number): boolean {
  const hi = two(buf, p);
  const lo = two(buf, p + 2);
  if (hi < 0 || lo < 0 || buf[p + 4] !== 0x2d || buf[p + 7] !== 0x2d) return false;
  const month = two(buf, p + 5);
  const day = two(buf, p + 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const year = hi * 100 + lo;
  // checkValue's Date.UTC reads years 0-99 as 1900-1999: leave those to it.
  if (year < 100) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

/** `YYYY-MM-DD[ HH:MM:SS[.f{1,6}]]`; other accepted shapes (zones, `T`, H:MM) go to checkValue. */
const isoTimestamp: FastCheck = (buf, start, end) => {
  const n = end - start;
  if (n < 10 || !isoDate(buf, start)) return false;
  if (n === 10) return true;
  if (n < 19 || buf[start + 10] !== 0x20 || buf[start + 13] !== 0x3a || buf[start + 16] !== 0x3a)
    return false;
  const h = two(buf, start + 11);
  const mi = two(buf, start + 14);
  const s = two(buf, start + 17);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return false;
  if (n === 19) return true;
  if (buf[start + 19] !== 0x2e || n > 26 || n < 21) return false;
  for (let p = start + 20; p < end; p++) if (!isDigit(buf[p])) return false;
  return true;
};
