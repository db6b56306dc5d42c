import { CsvScanner } from './csvScanner.ts';
import { scannedFields } from './fieldText.ts';
import type { CsvDialect, CsvField, ScannedRecord } from './scannedRecord.ts';

export interface CsvRecord {
  fields: CsvField[];
  /** 1-based physical line on which the record starts (as stl_load_errors counts lines). */
  line: number;
}

/** Called for each record with the buffer it is in; both are valid only during the call. */
export type RecordSink = (buf: Buffer, record: ScannedRecord) => void;

/**
 * Streams CSV records out of byte chunks with CsvScanner (Redshift's COPY ... CSV rules). Holds
 * the bytes of one unfinished record between chunks, whatever the size of the input.
 * `pushRanges` hands each record over as the scanner's byte ranges (nothing decoded, nothing
 * allocated per record), `push` as field strings.
 */
export class CsvRecordReader {
  private readonly scanner: CsvScanner;
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly dialect: CsvDialect) {
    this.scanner = new CsvScanner(dialect.delimiter, dialect.quote);
  }

  /** Feeds bytes; returns the records completed by them. */
  push(chunk: Uint8Array): CsvRecord[] {
    const records: CsvRecord[] = [];
    this.pushRanges(chunk, this.collect(records));
    return records;
  }

  /** The last record when the input does not end with a newline. */
  end(): CsvRecord[] {
    const records: CsvRecord[] = [];
    this.endRanges(this.collect(records));
    return records;
  }

  /** Feeds bytes; calls `sink` for each record they complete. */
  pushRanges(chunk: Uint8Array, sink: RecordSink): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.carry = this.carry.length === 0 ? bytes : Buffer.concat([this.carry, bytes]);
    this.drain(false, sink);
  }

  /** Calls `sink` for the last record when the input does not end with a newline. */
  endRanges(sink: RecordSink): void {
    this.drain(true, sink);
  }

  private collect(records: CsvRecord[]): RecordSink {
    const { quote } = this.dialect;
    return (buf, r) => records.push({ fields: scannedFields(buf, r, quote), line: r.line });
  }

  private drain(final: boolean, sink: RecordSink): void {
    const buf = this.carry;
    const { scanner } = this;
    const r = scanner.record;
    let pos = 0;
    while (pos < buf.length && scanner.next(buf, pos, buf.length, final)) {
      sink(buf, r);
      pos = r.next;
    }
    // An unfinished record is scanned again from its start once more bytes arrive.
    this.carry = pos === 0 ? buf : buf.subarray(pos);
  }
}

/**
 * Streams CSV records out of text or byte chunks, as Redshift's COPY ... CSV reads them: fields
 * split on the delimiter, a field that starts with the quote character runs to the closing quote
 * (a doubled quote is one quote, newlines included), records end at LF or CRLF outside quotes.
 */
export async function* csvRecords(
  chunks: AsyncIterable<string | Uint8Array>,
  dialect: CsvDialect,
): AsyncGenerator<CsvRecord> {
  const splitter = new CsvRecordReader(dialect);
  for await (const chunk of chunks) {
    yield* splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  }
  yield* splitter.end();
}

/**
 * One record as CSV text (LF-terminated), keeping each field's quoting: a field that was quoted
 * is written quoted (so `""` stays an empty string, not an empty field, which COPY may read as
 * NULL), and an unquoted field that needs quotes gets them.
 */
export function formatCsvRecord(fields: readonly CsvField[], dialect: CsvDialect): string {
  const { delimiter, quote } = dialect;
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as CsvField;
    if (i > 0) out += delimiter;
    const needs =
      f.quoted ||
      f.value.includes(delimiter) ||
      f.value.includes('\n') ||
      f.value.includes('\r') ||
      f.value.startsWith(quote);
    out += needs ? `${quote}${f.value.split(quote).join(quote + quote)}${quote}` : f.value;
  }
  return `${out}\n`;
}
