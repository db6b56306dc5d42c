/** One field of a CSV record; `quoted` tells `""` (an empty string) from an empty field. */
export interface CsvField {
  value: string;
  quoted: boolean;
}

export interface CsvRecord {
  fields: CsvField[];
  /** 1-based physical line on which the record starts (as stl_load_errors counts lines). */
  line: number;
}

export interface CsvDialect {
  delimiter: string;
  quote: string;
}

/**
 * Streams CSV records out of text chunks, as Redshift's COPY ... CSV reads them: fields split on
 * the delimiter, a field that starts with the quote character runs to the closing quote (a
 * doubled quote is one quote, newlines included), records end at LF or CRLF outside quotes.
 * Memory holds one record at a time, whatever the size of the input.
 */
export async function* csvRecords(
  chunks: AsyncIterable<string>,
  dialect: CsvDialect,
): AsyncGenerator<CsvRecord> {
  const { delimiter, quote } = dialect;
  let fields: CsvField[] = [];
  let value = '';
  let quoted = false;
  // inQuotes: inside a quoted field; afterQuote: just saw a quote inside a quoted field (either
  // the closing one or the first of a doubled pair).
  let inQuotes = false;
  let afterQuote = false;
  let fieldStart = true;
  let line = 1;
  let recordLine = 1;
  let pendingCr = false;
  let any = false;

  const endField = () => {
    fields.push({ value, quoted });
    value = '';
    quoted = false;
    fieldStart = true;
  };

  for await (const chunk of chunks) {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const ch = chunk[i] as string;
      if (pendingCr) {
        pendingCr = false;
        if (ch !== '\n') value += '\r';
      }
      if (inQuotes) {
        if (afterQuote) {
          afterQuote = false;
          if (ch === quote) {
            value += quote;
            i++;
            continue;
          }
          inQuotes = false;
          // fall through: the character after the closing quote is handled below
        } else {
          if (ch === quote) {
            afterQuote = true;
          } else {
            if (ch === '\n') line++;
            value += ch;
          }
          i++;
          continue;
        }
      }
      any = true;
      if (ch === delimiter) {
        endField();
      } else if (ch === '\n') {
        endField();
        const record = { fields, line: recordLine };
        fields = [];
        line++;
        recordLine = line;
        any = false;
        yield record;
      } else if (ch === '\r') {
        // A CR is a line end only before LF; decided when the next character arrives.
        pendingCr = true;
      } else if (ch === quote && fieldStart && value === '') {
        inQuotes = true;
        quoted = true;
        fieldStart = false;
      } else {
        value += ch;
        fieldStart = false;
      }
      i++;
    }
  }
  if (pendingCr) value += '\r';
  if (inQuotes && afterQuote) inQuotes = false;
  if (inQuotes) {
    throw new UnterminatedQuoteError(recordLine);
  }
  if (any || fields.length > 0 || value !== '') {
    endField();
    yield { fields, line: recordLine };
  }
}

/** The input ended inside a quoted field that began on `line`. */
export class UnterminatedQuoteError extends Error {
  constructor(readonly line: number) {
    super(`unterminated quoted field starting on line ${line}`);
    this.name = 'UnterminatedQuoteError';
  }
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
