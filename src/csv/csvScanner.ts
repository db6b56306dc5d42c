/**
 * The one CSV reader of src/: Redshift's COPY ... CSV rules over bytes. Load checks
 * (load/csvPrepare, through csvRecords for the samples planLoad and inferSample read), export
 * part processing (parts/processPartStream's CSV-to-JSON-lines) and the part record counter
 * (parts/recordCounter, through `skip`) all read CSV through it.
 */
import { emptyRecord, growRecord, type ScannedRecord, UnterminatedQuoteError } from './scannedRecord.ts';

// What a scan hands out lives in scannedRecord.ts; the readers of CSV import it from here.
export {
  type CsvDialect,
  type CsvField,
  type ScannedRecord,
  UnterminatedQuoteError,
} from './scannedRecord.ts';

/** Field flags in `ScannedRecord.flags`, kept here: the scan reads them in its hot loop. */
export const QUOTED = 1;
/** A quoted field holding a doubled quote (`""`): its value is not its inner bytes. */
export const DOUBLED = 2;
/**
 * The field's bytes are not what formatCsvRecord would write for its value (text after the
 * closing quote, or a lone CR in an unquoted field): it is rewritten, not copied.
 */
export const IRREGULAR = 4;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits CSV bytes into records the way Redshift's COPY ... CSV reads them:
 * fields split on the delimiter, a field that starts with the quote runs to the closing quote
 * (a doubled quote is one quote, newlines included), records end at LF or CRLF outside quotes.
 * Works on bytes (delimiter and quote are ASCII, and UTF-8 never uses ASCII bytes inside a
 * multi-byte character), so a record costs a few memchr calls and no allocation.
 */
export class CsvScanner {
  private readonly delimiter: number;
  private readonly quote: number;
  private line = 1;
  readonly record: ScannedRecord;
  /**
   * Where the next delimiter, LF, CR and quote are in `bytes` (its length when there is none),
   * each searched with indexOf (memchr) again only once the scan has passed it: a field costs
   * one search for its delimiter, a record one for its LF, and no byte is looked at one by one.
   * Valid for `source` from `resume` on: every search starts at or before the end of the last
   * record read.
   */
  private source: Uint8Array | undefined;
  private resume = 0;
  private bytes: Buffer = Buffer.alloc(0);
  private nextDelimiter = -1;
  private nextLf = -1;
  private nextCr = -1;
  private nextQuote = -1;
  /** Where the last `skip` stopped. */
  skippedTo = 0;
  /** Set by closeQuote: the field held a doubled quote; LFs inside it. */
  private doubled = false;
  private quotedLines = 0;

  constructor(delimiter: string, quote: string) {
    this.delimiter = delimiter.charCodeAt(0);
    this.quote = quote.charCodeAt(0);
    this.record = emptyRecord();
  }

  /**
   * Scans the record starting at `pos` in `buf[0..limit)`. Returns false when the record is not
   * complete before `limit` (more input needed) unless `final`, where the input ends there (an
   * open quoted field is then an UnterminatedQuoteError). On true, `record` describes it and
   * the next record starts at `record.next`. The bytes of `buf` must not change while it is
   * scanned (more input comes in a new buffer), as the positions found in it are kept.
   */
  next(buf: Uint8Array, pos: number, limit: number, final: boolean): boolean {
    if (buf !== this.source || pos < this.resume) this.read(buf);
    if (this.plainRecord(pos, limit)) return true;
    const { delimiter, quote } = this;
    const r = this.record;
    let p = pos;
    let field = 0;
    let inner = 0;
    let irregular = false;
    for (;;) {
      const fieldStart = p;
      let flags = 0;
      if (p < limit && buf[p] === quote) {
        flags = QUOTED;
        p = this.closeQuote(p + 1, limit, final);
        if (p === -1) return this.incomplete();
        if (this.doubled) flags |= DOUBLED;
        inner += this.quotedLines;
        // After the closing quote: anything but a delimiter or line end is kept as text.
        if (p < limit) {
          const c = buf[p];
          if (c !== delimiter && c !== LF && !(c === CR && (p + 1 >= limit || buf[p + 1] === LF))) {
            flags |= IRREGULAR;
          }
        }
      }
      // Unquoted text (or the rest after a closing quote) runs to the delimiter or line end; a CR
      // not followed by LF is text.
      let crlf = false;
      let atEnd = false;
      for (;;) {
        let d = this.nextDelimiter;
        if (d < p) d = this.nextDelimiter = this.find(delimiter, p);
        let lf = this.nextLf;
        if (lf < p) lf = this.nextLf = this.find(LF, p);
        let cr = this.nextCr;
        if (cr < p) cr = this.nextCr = this.find(CR, p);
        const stop = Math.min(d, lf);
        if (cr < stop && cr < limit) {
          if (cr + 1 >= limit) {
            if (!final) return this.incomplete();
            // A CR as the very last byte of the input is text: no LF follows it.
            flags |= IRREGULAR;
            p = cr + 1;
            continue;
          }
          if (buf[cr + 1] === LF) {
            crlf = true;
            p = cr;
            break;
          }
          flags |= IRREGULAR;
          p = cr + 1;
          continue;
        }
        if (stop >= limit) {
          if (!final) return this.incomplete();
          atEnd = true;
          p = limit;
          break;
        }
        p = stop;
        break;
      }
      if (field === r.starts.length) growRecord(r);
      r.starts[field] = fieldStart;
      r.ends[field] = p;
      r.flags[field] = flags;
      if ((flags & IRREGULAR) !== 0) irregular = true;
      field++;
      if (!atEnd && !crlf && buf[p] === delimiter) {
        p++;
        continue;
      }
      r.start = pos;
      r.end = p;
      r.next = atEnd ? p : crlf ? p + 2 : p + 1;
      r.line = this.line;
      r.innerLines = inner;
      r.crlf = crlf;
      r.fieldCount = field;
      r.irregular = irregular;
      this.line += inner + (atEnd ? 0 : 1);
      this.resume = r.next;
      return true;
    }
  }

  /**
   * Counts the records from `pos` that end before `limit` without splitting them into fields
   * (all a record counter needs); `skippedTo` is then the offset after the last of them, where
   * an unfinished record starts (when `final`, the input's last record counts too). Jumps from
   * quote to LF with memchr: an LF outside quotes ends a record; a quote where a field starts
   * (the record's start or after a delimiter) opens a quoted field, read by the same
   * `closeQuote` as `next`'s; any other quote is text. `record` is not set.
   */
  skip(buf: Uint8Array, pos: number, limit: number, final: boolean): number {
    if (buf !== this.source || pos < this.resume) this.read(buf);
    const { bytes, delimiter, quote } = this;
    let records = 0;
    let start = pos;
    let lines = 0;
    let inner = 0;
    let lf = this.nextLf < pos ? this.find(LF, pos) : this.nextLf;
    let q = this.nextQuote < pos ? this.find(quote, pos) : this.nextQuote;
    for (;;) {
      while (lf < q && lf < limit) {
        records++;
        lines += inner + 1;
        inner = 0;
        start = lf + 1;
        lf = this.find(LF, start);
      }
      if (q >= limit) break;
      if (q === start || bytes[q - 1] === delimiter) {
        this.nextLf = lf;
        this.nextQuote = q;
        // An open field names the line its record starts on.
        this.line += lines;
        lines = 0;
        const p = this.closeQuote(q + 1, limit, final);
        if (p === -1) break;
        inner += this.quotedLines;
        lf = this.nextLf;
        q = this.find(quote, p);
      } else q = this.find(quote, q + 1);
    }
    if (final && start < limit) {
      records++;
      lines += inner;
      start = limit;
    }
    this.line += lines;
    this.nextLf = lf;
    this.nextQuote = q;
    this.resume = start;
    this.skippedTo = start;
    return records;
  }

  /**
   * Reads the quoted field whose opening quote is just before `from`: inside quotes only the
   * quote matters, a doubled quote is one quote and the field goes on. Returns the offset just
   * past the closing quote, with `doubled` and `quotedLines` (LFs inside) set, or -1 when more
   * input is needed; when `final`, an open field is an UnterminatedQuoteError.
   */
  private closeQuote(from: number, limit: number, final: boolean): number {
    const bytes = this.bytes;
    let p = from;
    this.doubled = false;
    this.quotedLines = 0;
    for (;;) {
      let q = this.nextQuote;
      if (q < p) q = this.nextQuote = this.find(this.quote, p);
      if (q >= limit) {
        if (!final) return -1;
        throw new UnterminatedQuoteError(this.line);
      }
      let lf = this.nextLf;
      if (lf < p) lf = this.nextLf = this.find(LF, p);
      while (lf < q) {
        this.quotedLines++;
        lf = this.nextLf = this.find(LF, lf + 1);
      }
      if (q + 1 < limit) {
        if (bytes[q + 1] === this.quote) {
          this.doubled = true;
          p = q + 2;
          continue;
        }
        return q + 1;
      }
      // A quote as the last byte: closing, or the first of a pair? Only more input says.
      return final ? q + 1 : -1;
    }
  }

  /**
   * Skips one physical line (a preamble line, never parsed as CSV) from `pos`: the offset after
   * its LF, `end` when `final` and no LF follows, or -1 when more input is needed.
   */
  skipLine(buf: Uint8Array, pos: number, end: number, final: boolean): number {
    const lf = buf.indexOf(0x0a, pos);
    if (lf === -1 || lf >= end) return final ? end : -1;
    this.line++;
    return lf + 1;
  }

  /**
   * The common record, read the short way: it ends with an LF before `limit`, and holds no quote
   * and no CR but the one of a CRLF, so only delimiters split it. False (nothing read) otherwise.
   */
  private plainRecord(pos: number, limit: number): boolean {
    let lf = this.nextLf;
    if (lf < pos) lf = this.nextLf = this.find(LF, pos);
    if (lf >= limit) return false;
    let q = this.nextQuote;
    if (q < pos) q = this.nextQuote = this.find(this.quote, pos);
    if (q < lf) return false;
    let cr = this.nextCr;
    if (cr < pos) cr = this.nextCr = this.find(CR, pos);
    const crlf = cr === lf - 1;
    if (cr < lf && !crlf) return false;
    const end = crlf ? cr : lf;
    const r = this.record;
    let field = 0;
    let p = pos;
    for (;;) {
      let d = this.nextDelimiter;
      if (d < p) d = this.nextDelimiter = this.find(this.delimiter, p);
      if (field === r.starts.length) growRecord(r);
      r.starts[field] = p;
      r.flags[field] = 0;
      if (d >= end) {
        r.ends[field] = end;
        break;
      }
      r.ends[field] = d;
      field++;
      p = d + 1;
    }
    r.start = pos;
    r.end = end;
    r.next = lf + 1;
    r.line = this.line;
    r.innerLines = 0;
    r.crlf = crlf;
    r.fieldCount = field + 1;
    r.irregular = false;
    this.line++;
    this.resume = lf + 1;
    return true;
  }

  /** A new buffer, or a scan from further back: the positions found so far are forgotten. */
  private read(buf: Uint8Array): void {
    this.source = buf;
    this.resume = 0;
    this.bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.nextDelimiter = -1;
    this.nextLf = -1;
    this.nextCr = -1;
    this.nextQuote = -1;
  }

  /** The record runs past the input: it is scanned again, from its start, with more bytes. */
  private incomplete(): false {
    this.source = undefined;
    return false;
  }

  /** The first `byte` at or after `from` in the buffer being scanned, or its length. */
  private find(byte: number, from: number): number {
    const at = this.bytes.indexOf(byte, from);
    return at === -1 ? this.bytes.length : at;
  }
}
