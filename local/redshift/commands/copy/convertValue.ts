import type { DateParser } from '../../../../src/load/dateTimeFormats.ts';
import { dateParser, timestampParser } from '../../../../src/load/dateTimeFormats.ts';
import type { CopyStatement } from '../parser/ast.ts';
import type { TargetColumn } from './targetColumns.ts';

/** A rejected field: the load error code (1200-1224) and reason Redshift records. */
export interface FieldError {
  code: number;
  reason: string;
}

export type Converted = { value: string | null } | { error: FieldError };

const INT_RANGE: Record<string, [bigint, bigint, string]> = {
  int2: [-32768n, 32767n, 'Short Integer'],
  int4: [-2147483648n, 2147483647n, 'Integer'],
  int8: [-9223372036854775808n, 9223372036854775807n, 'Long'],
};

const TRUE_WORDS = new Set(['t', 'true', '1', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['f', 'false', '0', 'n', 'no', 'off']);

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Cuts a string to at most `bytes` UTF-8 bytes without splitting a character. */
function truncateBytes(s: string, bytes: number): string {
  let out = '';
  let n = 0;
  for (const ch of s) {
    const b = byteLength(ch);
    if (n + b > bytes) break;
    out += ch;
    n += b;
  }
  return out;
}

/**
 * Converts one field of a source record to the text PostgreSQL's COPY accepts for the target
 * column, applying COPY's conversion options; or says why Redshift would reject it.
 */
export class ValueConverter {
  private readonly date: DateParser;
  private readonly ts: DateParser;
  private readonly tstz: DateParser;

  constructor(private readonly st: CopyStatement) {
    this.date = dateParser(st.dateFormat);
    this.ts = timestampParser(st.timeFormat, false);
    this.tstz = timestampParser(st.timeFormat, true);
  }

  /**
   * `raw` is the field as read (already unquoted/unescaped), or null when the format itself said
   * NULL (JSON null, a missing JSON key, a Parquet null).
   */
  convert(raw: string | null, col: TargetColumn, textFormat: boolean): Converted {
    const st = this.st;
    let v = raw;
    const isChar = col.kind === 'char' || col.kind === 'varchar' || col.kind === 'text';
    if (v !== null && textFormat) {
      if (v === (st.nullAs ?? '\\N')) v = null;
      else if (v === '') {
        if (!isChar || st.emptyAsNull) v = null;
      } else if (st.blanksAsNull && isChar && v.trim() === '') v = null;
    }
    if (v?.includes('\uFFFD')) {
      if (st.acceptInvChars === undefined || !isChar)
        return { error: { code: 1220, reason: 'String contains invalid or unsupported UTF8 codepoints' } };
      v = v.replace(/\uFFFD/g, st.acceptInvChars);
    }
    if (v === null) {
      if (col.notNull) return { error: { code: 1213, reason: 'Missing data for not-null field' } };
      return { value: null };
    }
    switch (col.kind) {
      case 'int2':
      case 'int4':
      case 'int8': {
        const t = v.trim();
        if (!/^[+-]?\d+$/.test(t)) {
          const pos = [...t].findIndex((c, i) => !(/\d/.test(c) || (i === 0 && /[+-]/.test(c))));
          return {
            error: {
              code: 1207,
              reason: `Invalid digit, Value '${t.charAt(pos)}', Pos ${pos}, Type: ${(INT_RANGE[col.kind] as [bigint, bigint, string])[2]}`,
            },
          };
        }
        const [lo, hi, name] = INT_RANGE[col.kind] as [bigint, bigint, string];
        const n = BigInt(t);
        if (n < lo || n > hi)
          return { error: { code: 1204, reason: `Overflow for type ${name}, Value '${t}'` } };
        return { value: n.toString() };
      }
      case 'numeric': {
        const t = v.trim();
        const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(t);
        if (!m || (m[2] === '' && (m[3] ?? '') === ''))
          return { error: { code: 1207, reason: `Invalid digit, Value '${t}', Type: Decimal` } };
        const precision = col.length ?? 18;
        const scale = col.scale ?? 0;
        const intDigits = (m[2] as string).replace(/^0+/, '');
        if (intDigits.length > precision - scale)
          return { error: { code: 1204, reason: `Numeric data overflow (result precision), Value '${t}'` } };
        let frac = m[3] ?? '';
        // Without ROUNDEC Redshift truncates extra decimals; with it, PostgreSQL rounds them.
        if (!st.roundEc && frac.length > scale) frac = frac.slice(0, scale);
        return { value: `${m[1] ?? ''}${intDigits || '0'}${frac ? `.${frac}` : ''}` };
      }
      case 'float': {
        const t = v.trim();
        if (/^[+-]?(inf|infinity|nan)$/i.test(t)) return { value: t };
        if (t === '' || Number.isNaN(Number(t)) || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t))
          return { error: { code: 1208, reason: `Invalid float, Value '${t}'` } };
        return { value: t };
      }
      case 'bool': {
        const t = v.trim().toLowerCase();
        if (TRUE_WORDS.has(t)) return { value: 't' };
        if (FALSE_WORDS.has(t)) return { value: 'f' };
        return { error: { code: 1210, reason: `Invalid boolean, Value '${v}'` } };
      }
      case 'date': {
        const d = this.date(v);
        if (d === undefined)
          return {
            error: {
              code: 1205,
              reason: `Invalid Date Format - ${st.dateFormat ?? 'YYYY-MM-DD'}, Value '${v}'`,
            },
          };
        return { value: d };
      }
      case 'timestamp':
      case 'timestamptz': {
        const d = (col.kind === 'timestamp' ? this.ts : this.tstz)(v);
        if (d === undefined)
          return {
            error: {
              code: 1206,
              reason: `Invalid timestamp format or value [${st.timeFormat ?? 'YYYY-MM-DD HH24:MI:SS'}], Value '${v}'`,
            },
          };
        return { value: d };
      }
      case 'char':
      case 'varchar': {
        let s = v;
        if (st.trimBlanks && col.kind === 'varchar') s = s.replace(/[ ]+$/, '');
        if (col.kind === 'char') s = s.replace(/[ ]+$/, '');
        const max = col.length ?? 256;
        if (byteLength(s) > max) {
          if (!st.truncateColumns)
            return { error: { code: 1204, reason: `String length exceeds DDL length` } };
          s = truncateBytes(s, max);
        }
        return { value: s };
      }
      case 'json':
        try {
          JSON.parse(v);
        } catch {
          return { error: { code: 1224, reason: 'Invalid JSON value' } };
        }
        return { value: v };
      default:
        return { value: v };
    }
  }
}
