import { type CsvField, UnterminatedQuoteError } from '../../../src/csv/csvScanner.ts';

/**
 * An independent reader to check the scanner against: Redshift's COPY ... CSV rules written
 * character by character (the reader src/load/csvRecords.ts had before the scanner replaced it).
 * Yields the records before an UnterminatedQuoteError, as a streaming reader does.
 */
export function* copyCsvReference(
  text: string,
  dialect: { delimiter: string; quote: string },
): Generator<{ fields: CsvField[]; line: number }> {
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

  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i] as string;
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
