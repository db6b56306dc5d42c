/**
 * Byte-level transcoder from PostgreSQL's `COPY ... TO STDOUT (FORMAT csv, NULL '')` output to
 * Redshift's delimited UNLOAD output, routing whole rows round-robin to slice buffers.
 *
 * PostgreSQL already prints every value as Redshift does (same output functions); what differs is
 * the framing: PostgreSQL quotes an empty string (it equals its NULL string) and Redshift's text
 * format never quotes, escapes per ESCAPE/ADDQUOTES rules, and writes NULL as the NULL AS string.
 * With PostgreSQL's NULL set to '' a NULL is exactly an unquoted empty field and every non-NULL
 * empty value is `""`, so NULL detection needs no lookahead. Everything happens on bytes: no
 * per-row strings, no per-field allocation.
 */

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

export interface TranscodeOptions {
  /** `csv`: Redshift CSV (quote only what needs it); `text`: unquoted, ESCAPE/ADDQUOTES rules. */
  format: 'csv' | 'text';
  /** Output delimiter; also PostgreSQL's (one ASCII byte other than `"`, CR, LF). */
  delimiter: string;
  nullAs: string;
  addQuotes: boolean;
  escape: boolean;
  /** Per column: ESCAPE applies (CHAR/VARCHAR/TEXT). */
  isCharacter: boolean[];
  /** Output streams rows go to, round-robin (1 for PARALLEL OFF). */
  slices: number;
}

/** Rows of one slice not yet handed to its file: `buf[0, committed)` are whole rows. */
export class SliceBuffer {
  buf: Buffer;
  len = 0;
  /** End of the last whole row. */
  committed = 0;
  /** Where each whole row in `buf[0, committed)` ends (MAXFILESIZE splits files between rows). */
  ends: number[] = [];
  /** Whole rows in `buf[0, committed)`. */
  rows = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Takes the whole rows out (a copy), keeping a partial row at the front. */
  takeCommitted(): { bytes: Buffer; rows: number; ends: number[] } {
    const bytes = Buffer.from(this.buf.subarray(0, this.committed));
    const rows = this.rows;
    const ends = this.ends;
    this.ends = [];
    this.buf.copyWithin(0, this.committed, this.len);
    this.len -= this.committed;
    this.committed = 0;
    this.rows = 0;
    return { bytes, rows, ends };
  }

  grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** Whether the statement's delimiter and NULL AS can go through PostgreSQL's CSV writer. */
export function canTranscode(delimiter: string, nullAs: string): boolean {
  if (delimiter.length !== 1) return false;
  const d = delimiter.charCodeAt(0);
  if (d >= 0x80 || d === QUOTE || d === LF || d === CR) return false;
  // PostgreSQL's own NULL is '' here, so NULL AS only has to be encodable.
  return !nullAs.includes('\u0000');
}

/** The COPY statement whose output `CsvTranscoder` reads. */
export function pgCsvCopySql(query: string, delimiter: string): string {
  const d = delimiter === "'" ? "''" : delimiter;
  return `COPY (${query}\n) TO STDOUT WITH (FORMAT csv, DELIMITER '${d}', NULL '', QUOTE '"', ESCAPE '"')`;
}

export class CsvTranscoder {
  readonly slices: SliceBuffer[];
  /** Rows seen (completed). */
  rows = 0;
  private state = START;
  private col = 0;
  private current: SliceBuffer;
  /** CSV: offset of the opening quote of the quoted field being copied, and whether it needs the quotes. */
  private quoteAt = 0;
  private needsQuotes = false;
  private readonly delim: number;
  private readonly nullBytes: Buffer;
  private readonly quotedNull: Buffer;
  private readonly isCharacter: Uint8Array;

  constructor(
    private readonly o: TranscodeOptions,
    sliceBytes = 64 * 1024,
  ) {
    this.delim = o.delimiter.charCodeAt(0);
    this.nullBytes = Buffer.from(o.nullAs);
    this.quotedNull = Buffer.from(o.addQuotes ? `"${o.nullAs}"` : o.nullAs);
    this.isCharacter = Uint8Array.from(o.isCharacter, (b) => (b ? 1 : 0));
    this.slices = Array.from({ length: o.slices }, () => new SliceBuffer(sliceBytes));
    this.current = this.slices[0] as SliceBuffer;
  }

  /** Whether the input ended exactly at a row boundary. */
  get atRowBoundary(): boolean {
    return this.state === START && this.col === 0;
  }

  /** Consumes one chunk of PostgreSQL's output. */
  push(input: Uint8Array): void {
    if (this.o.format === 'csv') this.pushCsv(input);
    else this.pushText(input);
  }

  /** Closes the current row of `s` at `len`; returns the slice the next row goes to. */
  private endRow(s: SliceBuffer, len: number): SliceBuffer {
    s.len = len;
    s.committed = len;
    s.ends.push(len);
    s.rows++;
    this.rows++;
    this.col = 0;
    return this.slices[this.rows % this.slices.length] as SliceBuffer;
  }

  /** Makes room for `extra` more bytes in `s` (holding `len`); returns its (maybe new) buffer. */
  private room(s: SliceBuffer, len: number, extra: number): Buffer {
    s.len = len;
    s.grow(len + extra);
    return s.buf;
  }

  // Both loops keep the output buffer and its length in locals (written back at row ends and at
  // the end of the chunk): this is the per-byte hot path of every UNLOAD.

  /** Redshift CSV: PostgreSQL's quoting kept where Redshift quotes too (delimiter, quote, CR, LF). */
  private pushCsv(input: Uint8Array): void {
    const delim = this.delim;
    const nullBytes = this.nullBytes;
    const extra = nullBytes.length + 4;
    let state = this.state;
    let s = this.current;
    let out = s.buf;
    let len = s.len;
    const n = input.length;
    for (let i = 0; i < n; i++) {
      const c = input[i] as number;
      if (len + extra > out.length) out = this.room(s, len, extra);
      if (state === UNQUOTED) {
        if (c === delim) {
          out[len++] = c;
          this.col++;
          state = START;
        } else if (c === LF) {
          out[len++] = LF;
          s = this.endRow(s, len);
          out = s.buf;
          len = s.len;
          state = START;
        } else out[len++] = c;
      } else if (state === START) {
        if (c === delim || c === LF) {
          for (let k = 0; k < nullBytes.length; k++) out[len++] = nullBytes[k] as number;
          out[len++] = c;
          if (c === delim) this.col++;
          else {
            s = this.endRow(s, len);
            out = s.buf;
            len = s.len;
          }
        } else if (c === QUOTE) {
          this.quoteAt = len;
          this.needsQuotes = false;
          out[len++] = c;
          state = QUOTED;
        } else {
          out[len++] = c;
          state = UNQUOTED;
        }
      } else if (state === QUOTED) {
        if (c === QUOTE) state = QUOTE_IN_QUOTED;
        else {
          if (c === delim || c === LF || c === CR) this.needsQuotes = true;
          out[len++] = c;
        }
      } else {
        // QUOTE_IN_QUOTED: a doubled quote, or the closing one.
        if (c === QUOTE) {
          out[len++] = QUOTE;
          out[len++] = QUOTE;
          this.needsQuotes = true;
          state = QUOTED;
          continue;
        }
        if (this.needsQuotes) out[len++] = QUOTE;
        else {
          // PostgreSQL quoted it only because it is empty (or `\.`): Redshift does not.
          out.copyWithin(this.quoteAt, this.quoteAt + 1, len);
          len--;
        }
        out[len++] = c;
        if (c === delim) {
          this.col++;
          state = START;
        } else if (c === LF) {
          s = this.endRow(s, len);
          out = s.buf;
          len = s.len;
          state = START;
        } else throw new Error(`unexpected byte ${c} after a closing quote in COPY CSV output`);
      }
    }
    s.len = len;
    this.current = s;
    this.state = state;
  }

  /** Redshift text: values as they are (ESCAPE / ADDQUOTES applied), NULL as the NULL AS string. */
  private pushText(input: Uint8Array): void {
    const delim = this.delim;
    const esc = this.o.escape;
    const addQuotes = this.o.addQuotes;
    const quotedNull = this.quotedNull;
    const extra = quotedNull.length + 4;
    let state = this.state;
    let s = this.current;
    let out = s.buf;
    let len = s.len;
    let escapeCol = esc && this.isCharacter[this.col] === 1;
    const n = input.length;
    for (let i = 0; i < n; i++) {
      const c = input[i] as number;
      if (len + extra > out.length) out = this.room(s, len, extra);
      if (state === QUOTED && c === QUOTE) {
        state = QUOTE_IN_QUOTED;
        continue;
      }
      if (state === QUOTE_IN_QUOTED) {
        if (c === QUOTE) {
          if (escapeCol && addQuotes) out[len++] = BACKSLASH;
          out[len++] = QUOTE;
          state = QUOTED;
          continue;
        }
        // The closing quote ended the value: this byte is a delimiter or LF.
        state = UNQUOTED;
      }
      if (state === START) {
        if (c === delim || c === LF) {
          for (let k = 0; k < quotedNull.length; k++) out[len++] = quotedNull[k] as number;
        } else {
          if (addQuotes) out[len++] = QUOTE;
          if (c === QUOTE) {
            state = QUOTED;
            continue;
          }
          state = UNQUOTED;
        }
      }
      if (state === UNQUOTED && (c === delim || c === LF)) {
        if (addQuotes) out[len++] = QUOTE;
        state = START;
      }
      if (state === START) {
        out[len++] = c;
        if (c === delim) {
          this.col++;
          escapeCol = esc && this.isCharacter[this.col] === 1;
        } else {
          s = this.endRow(s, len);
          out = s.buf;
          len = s.len;
          escapeCol = esc && this.isCharacter[0] === 1;
        }
        continue;
      }
      if (escapeCol && (c === LF || c === CR || c === BACKSLASH || c === delim || (addQuotes && c === QUOTE)))
        out[len++] = BACKSLASH;
      out[len++] = c;
    }
    s.len = len;
    this.current = s;
    this.state = state;
  }
}
