/** What CsvScanner hands out: records as byte spans (flags in csvScanner.ts), and its one error. */

/** One field of a CSV record; `quoted` tells `""` (an empty string) from an empty field. */
export interface CsvField {
  value: string;
  quoted: boolean;
}

export interface CsvDialect {
  delimiter: string;
  quote: string;
}

/** The input ended inside a quoted field that began on `line`. */
export class UnterminatedQuoteError extends Error {
  constructor(readonly line: number) {
    super(`unterminated quoted field starting on line ${line}`);
    this.name = 'UnterminatedQuoteError';
  }
}

/**
 * One CSV record found in a buffer: fields as byte spans, so nothing is decoded or allocated
 * for a record unless a check needs its text. Valid until the next call of `next`.
 */
export interface ScannedRecord {
  /** Byte offset of the record's first byte in `buffer`. */
  start: number;
  /** Byte offset just past the record's text (before its LF or CRLF). */
  end: number;
  /** Offset just past the line end (LF, CRLF, or `end` at the end of the input). */
  next: number;
  /** 1-based physical line on which the record starts (as stl_load_errors counts lines). */
  line: number;
  /** LFs inside quoted fields: the record spans `1 + innerLines` lines. */
  innerLines: number;
  /** Line end was CRLF (the CR is dropped when the record is copied). */
  crlf: boolean;
  fieldCount: number;
  /** Field i spans `starts[i]..ends[i]` (quotes included), with `flags[i]`. */
  starts: Int32Array;
  ends: Int32Array;
  flags: Uint8Array;
  /** Some field is IRREGULAR. */
  irregular: boolean;
}

/** A record with room for 64 fields (grown when a record has more). */
export function emptyRecord(): ScannedRecord {
  return {
    start: 0,
    end: 0,
    next: 0,
    line: 1,
    innerLines: 0,
    crlf: false,
    fieldCount: 0,
    starts: new Int32Array(64),
    ends: new Int32Array(64),
    flags: new Uint8Array(64),
    irregular: false,
  };
}

/** Doubles the room for fields, keeping those found so far. */
export function growRecord(r: ScannedRecord): void {
  const size = r.starts.length * 2;
  const starts = new Int32Array(size);
  starts.set(r.starts);
  const ends = new Int32Array(size);
  ends.set(r.ends);
  const flags = new Uint8Array(size);
  flags.set(r.flags);
  r.starts = starts;
  r.ends = ends;
  r.flags = flags;
}
