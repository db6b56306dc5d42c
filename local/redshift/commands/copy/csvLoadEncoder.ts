import type { CopyStatement } from '../parser/ast.ts';
import type { SourceRecord } from './recordReaders.ts';
import type { TargetColumn } from './targetColumns.ts';

/**
 * COPY ... CSV on bytes: splits records and fields exactly as `csvReader` does, and writes each
 * record as PostgreSQL COPY text straight into a byte buffer when every field is one the value
 * converter would pass through unchanged (plain integers, decimals within precision/scale,
 * `YYYY-MM-DD[ HH:MI:SS[.f]]` dates and timestamps, ASCII strings within their length). Any other
 * record (non-ASCII, NULL AS, empty or blank fields, wrong field count, anything to reject) goes
 * to the slow path as a `SourceRecord`, so conversions and load errors stay exactly the converter's.
 */

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DOT = 0x2e;
const SPACE = 0x20;
const COLON = 0x3a;

/** The slow path: returns the converted fields of an accepted record, or undefined when rejected. */
export type SlowRecord = (rec: SourceRecord) => (string | null)[] | undefined;

export interface CsvLoadOptions {
  delimiter: string;
  quote: string;
  ignoreHeader: number;
  ignoreBlankLines: boolean;
}

/** Whether the fast CSV path applies: one-byte ASCII delimiter and quote. */
export function canEncodeCsv(o: { delimiter: string; quote: string }): boolean {
  const ok = (s: string) => s.length === 1 && s.charCodeAt(0) < 0x80 && s !== '\n' && s !== '\r';
  return ok(o.delimiter) && ok(o.quote) && o.delimiter !== o.quote;
}

export enum Check {
  Int,
  Numeric,
  Date,
  Timestamp,
  Char,
  Varchar,
  Text,
  Float,
  Bool,
  Slow,
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isBlank(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function twoDigits(b: Uint8Array, i: number): number {
  return ((b[i] as number) - 0x30) * 10 + ((b[i + 1] as number) - 0x30);
}

function digitsAt(b: Uint8Array, s: number, n: number): boolean {
  for (let i = s; i < s + n; i++) if (!isDigit(b[i] as number)) return false;
  return true;
}

/** `YYYY-MM-DD` at b[s..s+10), a valid calendar date from year 100 (Date.UTC maps 0-99 to 19xx). */
function isIsoDate(b: Uint8Array, s: number): boolean {
  if (!digitsAt(b, s, 4) || !digitsAt(b, s + 5, 2) || !digitsAt(b, s + 8, 2)) return false;
  if (b[s + 4] !== MINUS || b[s + 7] !== MINUS) return false;
  const y = twoDigits(b, s) * 100 + twoDigits(b, s + 2);
  if (y < 100) return false;
  const m = twoDigits(b, s + 5);
  const d = twoDigits(b, s + 8);
  if (m < 1 || m > 12 || d < 1 || d > (DAYS[m - 1] as number)) return false;
  return !(m === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)));
}

export interface ColumnCheck {
  check: Check;
  /** Int: most digits always in range; Numeric: integer digits; strings: byte length. */
  max: number;
  /** Numeric: scale. */
  scale: number;
}

export function columnCheck(col: TargetColumn, st: CopyStatement): ColumnCheck {
  const none = { max: 0, scale: 0 };
  switch (col.kind) {
    case 'int2':
      return { check: Check.Int, ...none, max: 4 };
    case 'int4':
      return { check: Check.Int, ...none, max: 9 };
    case 'int8':
      return { check: Check.Int, ...none, max: 18 };
    case 'numeric': {
      const precision = col.length ?? 18;
      const scale = col.scale ?? 0;
      return { check: Check.Numeric, max: precision - scale, scale };
    }
    case 'date':
      return st.dateFormat === undefined ? { check: Check.Date, ...none } : { check: Check.Slow, ...none };
    case 'timestamp':
    case 'timestamptz':
      return st.timeFormat === undefined
        ? { check: Check.Timestamp, ...none }
        : { check: Check.Slow, ...none };
    case 'char':
      return { check: Check.Char, max: col.length ?? 1, scale: 0 };
    case 'varchar':
      return { check: Check.Varchar, max: col.length ?? 256, scale: 0 };
    case 'text':
      return { check: Check.Text, ...none };
    case 'float':
      return { check: Check.Float, ...none };
    case 'bool':
      return { check: Check.Bool, ...none };
    default:
      return { check: Check.Slow, ...none };
  }
}

/** Whether the converter would return the field's bytes unchanged (so they can be copied as they are). */
export function passesThrough(
  c: ColumnCheck,
  b: Uint8Array,
  s: number,
  e: number,
  st: CopyStatement,
): boolean {
  const n = e - s;
  switch (c.check) {
    case Check.Int: {
      let i = s;
      if (b[i] === MINUS) i++;
      const digits = e - i;
      if (digits < 1 || digits > c.max) return false;
      // No leading zeros (and no -0): BigInt's text would differ.
      if (b[i] === 0x30 && (digits > 1 || i > s)) return false;
      for (; i < e; i++) if (!isDigit(b[i] as number)) return false;
      return true;
    }
    case Check.Numeric: {
      let i = s;
      if (b[i] === MINUS) i++;
      const intStart = i;
      while (i < e && isDigit(b[i] as number)) i++;
      const intDigits = i - intStart;
      if (intDigits === 0 || (b[intStart] === 0x30 && intDigits > 1)) return false;
      if (intDigits > c.max && !(intDigits === 1 && b[intStart] === 0x30)) return false;
      if (i === e) return true;
      if (b[i] !== DOT) return false;
      i++;
      const frac = e - i;
      // Extra decimals are truncated (or rounded with ROUNDEC): not a pass-through.
      if (frac < 1 || frac > c.scale) return false;
      for (; i < e; i++) if (!isDigit(b[i] as number)) return false;
      return true;
    }
    case Check.Date:
      return n === 10 && isIsoDate(b, s);
    case Check.Bool:
      return n === 1 && (b[s] === 0x74 || b[s] === 0x66);
    case Check.Float: {
      // [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?
      let i = s;
      if (b[i] === MINUS || b[i] === 0x2b) i++;
      const intStart = i;
      while (i < e && isDigit(b[i] as number)) i++;
      let mantissa = i - intStart;
      if (i < e && b[i] === DOT) {
        i++;
        const fracStart = i;
        while (i < e && isDigit(b[i] as number)) i++;
        mantissa += i - fracStart;
      }
      if (mantissa === 0) return false;
      if (i < e && (b[i] === 0x65 || b[i] === 0x45)) {
        i++;
        if (i < e && (b[i] === MINUS || b[i] === 0x2b)) i++;
        const expStart = i;
        while (i < e && isDigit(b[i] as number)) i++;
        if (i === expStart) return false;
      }
      return i === e;
    }
    case Check.Timestamp: {
      if (n !== 19 && !(n >= 21 && n <= 26)) return false;
      if (!isIsoDate(b, s) || b[s + 10] !== SPACE || b[s + 13] !== COLON || b[s + 16] !== COLON) return false;
      if (!digitsAt(b, s + 11, 2) || !digitsAt(b, s + 14, 2) || !digitsAt(b, s + 17, 2)) return false;
      if (twoDigits(b, s + 11) > 23 || twoDigits(b, s + 14) > 59 || twoDigits(b, s + 17) > 59) return false;
      if (n === 19) return true;
      if (b[s + 19] !== DOT) return false;
      for (let i = s + 20; i < e; i++) if (!isDigit(b[i] as number)) return false;
      return true;
    }
    case Check.Char:
    case Check.Varchar:
    case Check.Text: {
      if (n > c.max && c.check !== Check.Text) return false;
      for (let i = s; i < e; i++) if ((b[i] as number) >= 0x80) return false;
      const last = b[e - 1] as number;
      // Trailing blanks are trimmed (CHAR, TRIMBLANKS) or make BLANKSASNULL look at the value.
      if (last === SPACE && (c.check === Check.Char || st.trimBlanks)) return false;
      if (st.blanksAsNull && isBlank(last)) return false;
      return true;
    }
    default:
      return false;
  }
}

function isNullAs(b: Uint8Array, s: number, e: number, nullAs: Buffer): boolean {
  if (e - s !== nullAs.length) return false;
  for (let i = 0; i < nullAs.length; i++) if (b[s + i] !== nullAs[i]) return false;
  return true;
}

/** PostgreSQL COPY text escaping of a converted value. */
export function pgCopyField(v: string | null): string {
  if (v === null) return '\\N';
  if (!/[\\\n\r\t]/.test(v)) return v;
  return v.replace(/[\\\n\r\t]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
  );
}

export class CsvLoadEncoder {
  /** PostgreSQL COPY text of the accepted records, `out[0, outLen)`. */
  out = Buffer.allocUnsafe(1 << 20);
  outLen = 0;
  /** Records accepted. */
  accepted = 0;
  private tail: Buffer = Buffer.alloc(0);
  private line = 1;
  private skip: number;
  private readonly delim: number;
  private readonly quote: number;
  private readonly checks: ColumnCheck[];
  private readonly nullAs: Buffer;
  /** Decoded bytes of the current record's fields, and their bounds. */
  private fields = Buffer.allocUnsafe(64 * 1024);
  private bounds = new Int32Array(256);

  constructor(
    private readonly o: CsvLoadOptions,
    private readonly cols: TargetColumn[],
    private readonly st: CopyStatement,
    private readonly slow: SlowRecord,
  ) {
    this.skip = o.ignoreHeader;
    this.delim = o.delimiter.charCodeAt(0);
    this.quote = o.quote.charCodeAt(0);
    this.checks = cols.map((c) => columnCheck(c, st));
    this.nullAs = Buffer.from(st.nullAs ?? '\\N');
  }

  /** Takes the encoded bytes out. */
  take(): Buffer {
    const b = Buffer.from(this.out.subarray(0, this.outLen));
    this.outLen = 0;
    return b;
  }

  push(chunk: Buffer): void {
    const input = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
    const consumed = this.parse(input, false);
    this.tail = consumed === input.length ? Buffer.alloc(0) : Buffer.from(input.subarray(consumed));
  }

  end(): void {
    if (this.tail.length > 0) this.parse(this.tail, true);
    this.tail = Buffer.alloc(0);
  }

  private ensureOut(extra: number): void {
    if (this.outLen + extra <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < this.outLen + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.out.copy(next, 0, 0, this.outLen);
    this.out = next;
  }

  /** Parses whole records from `b`; returns the offset of the first byte not consumed. */
  private parse(b: Buffer, final: boolean): number {
    const delim = this.delim;
    const quote = this.quote;
    const n = b.length;
    let recStart = 0;
    while (recStart < n) {
      // One record: decode fields into this.fields, bounds as [start, end) pairs.
      if (this.fields.length < n - recStart) this.fields = Buffer.allocUnsafe((n - recStart) * 2);
      const f = this.fields;
      let fl = 0;
      let nf = 0;
      let fieldStart = 0;
      let inQuotes = false;
      let pendingQuote = false;
      let quoteSeen = false;
      let lines = 0;
      let i = recStart;
      let recEnd = -1;
      for (; i < n; i++) {
        const c = b[i] as number;
        if (inQuotes) {
          if (c === quote) {
            inQuotes = false;
            pendingQuote = true;
          } else {
            if (c === LF) lines++;
            f[fl++] = c;
          }
          continue;
        }
        if (pendingQuote) {
          pendingQuote = false;
          if (c === quote) {
            f[fl++] = c;
            inQuotes = true;
            continue;
          }
        }
        if (c === LF) {
          recEnd = i;
          break;
        }
        if (c === delim) {
          this.addBounds(nf++, fieldStart, fl);
          fieldStart = fl;
        } else if (c === quote) {
          inQuotes = true;
          quoteSeen = true;
        } else f[fl++] = c;
      }
      if (recEnd === -1) {
        if (!final) return recStart;
        if (inQuotes) {
          this.record(b, recStart, n, -1, 0, quoteSeen, lines, 'unterminated');
          return n;
        }
        recEnd = n;
      }
      // CRLF: the CR belongs to the line ending, not the last field.
      let rawEnd = recEnd;
      if (rawEnd > recStart && b[rawEnd - 1] === CR) {
        rawEnd--;
        if (fl > fieldStart && f[fl - 1] === CR) fl--;
      }
      this.addBounds(nf++, fieldStart, fl);
      this.record(b, recStart, rawEnd, nf, fl, quoteSeen, lines, undefined);
      recStart = recEnd + 1;
    }
    return n;
  }

  private addBounds(k: number, s: number, e: number): void {
    if (2 * k + 2 > this.bounds.length) {
      const next = new Int32Array(this.bounds.length * 2);
      next.set(this.bounds);
      this.bounds = next;
    }
    this.bounds[2 * k] = s;
    this.bounds[2 * k + 1] = e;
  }

  private record(
    b: Buffer,
    rawStart: number,
    rawEnd: number,
    nf: number,
    _fl: number,
    quoteSeen: boolean,
    lines: number,
    problem: 'unterminated' | undefined,
  ): void {
    const line = this.line;
    this.line += lines + 1;
    const bounds = this.bounds;
    if (problem === 'unterminated') {
      this.slowRecord({
        line,
        raw: b.toString('utf8', rawStart, rawEnd),
        fields: [],
        error: { code: 1216, reason: 'Unterminated quoted field at end of file' },
      });
      return;
    }
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    const empty = nf === 1 && bounds[0] === bounds[1] && !quoteSeen;
    if (empty && this.o.ignoreBlankLines) return;
    const f = this.fields;
    if (nf === this.cols.length) {
      const start = this.outLen;
      let ok = true;
      for (let k = 0; k < nf; k++) {
        const s = bounds[2 * k] as number;
        const e = bounds[2 * k + 1] as number;
        const check = this.checks[k] as ColumnCheck;
        if (s === e) {
          // An empty field: NULL unless it is a character column without EMPTYASNULL (then '').
          const col = this.cols[k] as TargetColumn;
          const isChar = col.kind === 'char' || col.kind === 'varchar' || col.kind === 'text';
          const isNull = this.nullAs.length === 0 || !isChar || this.st.emptyAsNull;
          if (isNull && col.notNull) {
            ok = false;
            break;
          }
          this.ensureOut(3);
          if (isNull) {
            this.out[this.outLen++] = BACKSLASH;
            this.out[this.outLen++] = 0x4e;
          }
          this.out[this.outLen++] = k === nf - 1 ? LF : TAB;
          continue;
        }
        if (isNullAs(f, s, e, this.nullAs) || !passesThrough(check, f, s, e, this.st)) {
          ok = false;
          break;
        }
        this.ensureOut(2 * (e - s) + 1);
        const out = this.out;
        let o = this.outLen;
        for (let i = s; i < e; i++) {
          const c = f[i] as number;
          if (c === BACKSLASH || c === LF || c === CR || c === TAB) {
            out[o++] = BACKSLASH;
            out[o++] = c === BACKSLASH ? BACKSLASH : c === LF ? 0x6e : c === CR ? 0x72 : 0x74;
          } else out[o++] = c;
        }
        out[o++] = k === nf - 1 ? LF : TAB;
        this.outLen = o;
      }
      if (ok) {
        this.accepted++;
        return;
      }
      this.outLen = start;
    }
    const fields: string[] = new Array(nf);
    for (let k = 0; k < nf; k++) fields[k] = f.toString('utf8', bounds[2 * k], bounds[2 * k + 1]);
    this.slowRecord({ line, raw: b.toString('utf8', rawStart, rawEnd), fields });
  }

  private slowRecord(rec: SourceRecord): void {
    const values = this.slow(rec);
    if (values === undefined) return;
    const text = `${values.map(pgCopyField).join('\t')}\n`;
    const len = Buffer.byteLength(text);
    this.ensureOut(len);
    this.out.write(text, this.outLen);
    this.outLen += len;
    this.accepted++;
  }
}
