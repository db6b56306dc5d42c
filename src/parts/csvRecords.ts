import type { CsvField } from '../csv/csvScanner.ts';

/**
 * A streaming CSV record splitter over bytes (RFC 4180 as Redshift writes it: `"` quotes, `""`
 * inside quotes, CRLF or LF). It yields each record's fields with a flag telling a quoted empty
 * string (`""`) from an unquoted empty field (NULL by default in UNLOAD output).
 *
 * The fast path (`pushRanges`) decodes nothing: it hands each record over as byte ranges into the
 * chunk, so a converter can copy bytes through; `push` builds strings from the same ranges.
 *
 * Only for UNLOAD's own CSV (quote parity is enough there: UNLOAD quotes every field holding a
 * quote); any other CSV (load checks, samples) is read by src/csv/csvScanner.ts, COPY's rules.
 */

/**
 * Field `k` of a scanned record: bytes `[b[3k], b[3k+1])` of the data, flags `b[3k+2]`
 * (FIELD_QUOTED; FIELD_DOUBLED when the bytes hold `""` pairs still to be unescaped).
 */
export type FieldBounds = Int32Array;
export const FIELD_QUOTED = 1;
export const FIELD_DOUBLED = 2;

export type RecordSink = (data: Buffer, bounds: FieldBounds, fieldCount: number) => void;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export class CsvRecordSplitter {
  private carry: Buffer = Buffer.alloc(0);
  private scanned = 0;
  private inQuotes = false;
  private readonly delimiter: number;
  private bounds: FieldBounds = new Int32Array(3 * 64);

  constructor(delimiter = ',') {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds bytes; returns the records completed by them. */
  push(chunk: Uint8Array): CsvField[][] {
    const records: CsvField[][] = [];
    this.pushRanges(chunk, (data, bounds, n) => records.push(fieldValues(data, bounds, n)));
    return records;
  }

  /** The last record when the input does not end with a newline. */
  end(): CsvField[][] {
    const records: CsvField[][] = [];
    this.endRanges((data, bounds, n) => records.push(fieldValues(data, bounds, n)));
    return records;
  }

  /**
   * Feeds bytes; calls `sink` for each record they complete, with the record's field ranges (valid
   * only during the call).
   */
  pushRanges(chunk: Uint8Array, sink: RecordSink): void {
    const data =
      this.carry.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([this.carry, chunk]);
    let start = 0;
    let i = this.scanned;
    const n = data.length;
    // Jumps between quotes and line feeds with indexOf (memchr), each searched again only once
    // passed: outside quotes every LF ends a record, inside quotes only the next quote matters
    // ("" toggles twice, so parity is enough).
    let nextQuote = find(data, QUOTE, i);
    let nextLf = find(data, LF, i);
    while (i < n) {
      if (nextQuote < i) nextQuote = find(data, QUOTE, i);
      if (this.inQuotes) {
        if (nextQuote >= n) break;
        this.inQuotes = false;
        i = nextQuote + 1;
        continue;
      }
      if (nextLf < i) nextLf = find(data, LF, i);
      if (nextQuote < nextLf) {
        this.inQuotes = true;
        i = nextQuote + 1;
        continue;
      }
      if (nextLf >= n) break;
      sink(data, this.scan(data, start, nextLf), this.fieldCount);
      start = nextLf + 1;
      i = start;
    }
    // A copy, so that the carry does not pin the whole chunk (nor the caller's buffer).
    this.carry = start === n ? Buffer.alloc(0) : Buffer.from(data.subarray(start));
    this.scanned = this.carry.length;
  }

  /** Calls `sink` for the last record when the input does not end with a newline. */
  endRanges(sink: RecordSink): void {
    if (this.carry.length === 0) return;
    const data = this.carry;
    this.carry = Buffer.alloc(0);
    this.scanned = 0;
    this.inQuotes = false;
    sink(data, this.scan(data, 0, data.length), this.fieldCount);
  }

  private fieldCount = 0;
  /** The first delimiter at or after the current field in `delimiterData` (its length if none). */
  private nextDelimiter = 0;
  private delimiterData: Buffer | undefined;

  /** Splits the record `[start, end)` (its newline excluded) into field ranges. */
  private scan(data: Buffer, start: number, end: number): FieldBounds {
    let stop = end;
    if (stop > start && data[stop - 1] === CR) stop--;
    this.fieldCount = 0;
    let i = start;
    for (;;) {
      if (i < stop && data[i] === QUOTE) {
        // Quoted field: up to the closing quote that is not doubled.
        let j = i + 1;
        let flags = FIELD_QUOTED;
        while (j < stop) {
          if (data[j] === QUOTE) {
            if (j + 1 < stop && data[j + 1] === QUOTE) {
              flags |= FIELD_DOUBLED;
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        this.add(i + 1, j, flags);
        i = j + 1; // past the closing quote; a delimiter or the end follows
        if (i >= stop) break;
        i++;
        if (i === stop) {
          this.add(stop, stop, 0);
          break;
        }
        continue;
      }
      if (this.delimiterData !== data || this.nextDelimiter < i) {
        this.delimiterData = data;
        this.nextDelimiter = find(data, this.delimiter, i);
      }
      const j = Math.min(this.nextDelimiter, stop);
      this.add(i, j, 0);
      if (j >= stop) break;
      i = j + 1;
      if (i === stop) {
        this.add(stop, stop, 0);
        break;
      }
    }
    return this.bounds;
  }

  private add(from: number, to: number, flags: number) {
    const k = 3 * this.fieldCount;
    if (k + 3 > this.bounds.length) {
      const grown = new Int32Array(this.bounds.length * 2);
      grown.set(this.bounds);
      this.bounds = grown;
    }
    this.bounds[k] = from;
    this.bounds[k + 1] = to;
    this.bounds[k + 2] = flags;
    this.fieldCount++;
  }
}

/** The first `byte` at or after `from`, or the data's length. */
function find(data: Buffer, byte: number, from: number): number {
  const at = data.indexOf(byte, from);
  return at === -1 ? data.length : at;
}

/** The text of field `k` (quotes removed, `""` -> `"`). */
export function fieldText(data: Buffer, bounds: FieldBounds, k: number): string {
  const text = data.toString('utf8', bounds[3 * k] as number, bounds[3 * k + 1] as number);
  return ((bounds[3 * k + 2] as number) & FIELD_DOUBLED) === 0 ? text : text.replaceAll('""', '"');
}

export function fieldValues(data: Buffer, bounds: FieldBounds, n: number): CsvField[] {
  const fields: CsvField[] = [];
  for (let k = 0; k < n; k++) {
    fields.push({
      value: fieldText(data, bounds, k),
      quoted: ((bounds[3 * k + 2] as number) & FIELD_QUOTED) !== 0,
    });
  }
  return fields;
}
