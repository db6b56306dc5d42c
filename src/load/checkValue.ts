import type { CopyOptions } from '../job/loadJob.ts';
import { type DateParser, dateParser, timestampParser } from './dateTimeFormats.ts';
import { describeType, type TargetColumn } from './targetColumns.ts';

/**
 * Checks one incoming value against its target column before anything is loaded, the way COPY
 * would read it: returns null when COPY will accept it, else the reason (for BadRecordError).
 * Only what is certain is rejected (bad numbers, out-of-range integers, dates and timestamps that
 * do not match the job's dateFormat/timeFormat by the same rule COPY uses, over-long strings,
 * NULL into NOT NULL); what we cannot judge (SUPER...) is left to COPY, whose errors come back
 * from stl_load_errors.
 */
export function checkValue(
  column: TargetColumn,
  value: string | null,
  options: Partial<Pick<CopyOptions, 'dateFormat' | 'timeFormat' | 'truncateColumns'>>,
): string | null {
  if (value === null) {
    return column.nullable ? null : `NULL into NOT NULL column "${column.name}"`;
  }
  const type = column.type;
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  const v = value.trim();
  switch (type) {
    case 'smallint':
    case 'integer':
    case 'bigint': {
      if (!/^[+-]?\d+$/.test(v)) return `${shown} is not an integer (${type})`;
      const n = BigInt(v);
      const [min, max] = INT_RANGES[type];
      return n < min || n > max ? `${shown} is out of range for ${type}` : null;
    }
    case 'numeric':
    case 'decimal': {
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v)) return `${shown} is not a number (${describeType(column)})`;
      if (column.precision !== null) {
        const integerDigits = (v.replace(/^[+-]/, '').split('.')[0] ?? '').replace(/^0+/, '').length;
        if (integerDigits > column.precision - (column.scale ?? 0)) {
          return `${shown} has too many digits for ${describeType(column)}`;
        }
      }
      return null;
    }
    case 'real':
    case 'double precision':
      return /^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|inf(inity)?|nan)$/i.test(v)
        ? null
        : `${shown} is not a number (${type})`;
    case 'boolean':
      return /^(t|f|true|false|y|n|yes|no|1|0|on|off)$/i.test(v) ? null : `${shown} is not a boolean`;
    case 'date':
      return parsers(options).date(v) !== undefined
        ? null
        : `${shown} is not a date in the format ${options.dateFormat ?? 'YYYY-MM-DD'}`;
    case 'timestamp without time zone':
    case 'timestamp with time zone':
    case 'timestamp':
    case 'timestamptz':
      return parsers(options).timestamp(v) !== undefined
        ? null
        : `${shown} is not a timestamp in the format ${options.timeFormat ?? 'YYYY-MM-DD HH:MI:SS'}`;
    case 'character varying':
    case 'character':
    case 'varchar':
    case 'char': {
      const limit = column.widenUpTo ?? column.maxLength;
      if (limit === null || options.truncateColumns) return null;
      const bytes = Buffer.byteLength(value, 'utf8');
      if (bytes <= limit) return null;
      return column.widenUpTo === undefined
        ? `${shown} is ${bytes} bytes, longer than ${describeType(column)}`
        : `${shown} is ${bytes} bytes, longer than VARCHAR(${limit}) can be widened to`;
    }
    default:
      return null;
  }
}

const INT_RANGES = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
} as const;

const cache = new Map<string, { date: DateParser; timestamp: DateParser }>();

/** COPY's date and timestamp parsers for the job's formats (src/load/dateTimeFormats.ts), built once. */
function parsers(options: Partial<Pick<CopyOptions, 'dateFormat' | 'timeFormat'>>) {
  const key = `${options.dateFormat ?? ''}\u0000${options.timeFormat ?? ''}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = { date: dateParser(options.dateFormat), timestamp: timestampParser(options.timeFormat, false) };
    cache.set(key, p);
  }
  return p;
}

/** Character columns keep empty strings; every other type reads an empty field as NULL. */
export function isCharacterType(type: string): boolean {
  return (
    type === 'character varying' ||
    type === 'character' ||
    type === 'varchar' ||
    type === 'char' ||
    type === 'text'
  );
}
