import { describe, expect, it } from 'vitest';
import {
  type CsvField,
  CsvScanner,
  fieldText,
  IRREGULAR,
  QUOTED,
  UnterminatedQuoteError,
} from '../../../src/csv/csvScanner.ts';

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

/**
 * An independent reader to check the scanner against: Redshift's COPY ... CSV rules written
 * character by character (the reader src/load/csvRecords.ts had before the scanner replaced it).
 */
async function* characterReader(
  chunks: AsyncIterable<string>,
  dialect: { delimiter: string; quote: string },
): AsyncGenerator<{ fields: CsvField[]; line: number }> {
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

/** What the character-by-character reference reader makes of `text`. */
async function reference(text: string, delimiter = ',', quote = '"') {
  const out: { line: number; fields: CsvField[] }[] = [];
  for await (const r of characterReader(once(text), { delimiter, quote })) out.push(r);
  return out;
}

/** The scanner over `text` fed in pieces of `size` bytes, as preparePart feeds it. */
function scanned(text: string, size: number, delimiter = ',', quote = '"') {
  const all = Buffer.from(text);
  const scanner = new CsvScanner(delimiter, quote);
  const out: { line: number; fields: CsvField[]; irregular: boolean }[] = [];
  let buf = Buffer.alloc(0);
  const drain = (final: boolean) => {
    let pos = 0;
    const r = scanner.record;
    while (pos < buf.length && scanner.next(buf, pos, buf.length, final)) {
      const fields: CsvField[] = [];
      for (let i = 0; i < r.fieldCount; i++) {
        const flags = r.flags[i] as number;
        fields.push({
          value: fieldText(buf, r.starts[i] as number, r.ends[i] as number, flags, quote),
          quoted: (flags & QUOTED) !== 0,
        });
      }
      out.push({ line: r.line, fields, irregular: r.irregular });
      pos = r.next;
    }
    buf = buf.subarray(pos);
  };
  for (let o = 0; o < all.length; o += size) {
    buf = Buffer.concat([buf, all.subarray(o, o + size)]);
    drain(false);
  }
  drain(true);
  return out;
}

describe('Class: CsvScanner', () => {
  const cases = [
    'a,b,c\n1,2,3\n',
    'a,b\r\n"x,y","say ""hi"""\r\n',
    '"multi\nline",2\n3,"also\r\nmulti"\n',
    ',,\n"",""\n\n',
    'no newline at end',
    'x"y,"ab"cd,e\n',
    'lone\rcr,1\n2,3',
    '"quote at end"',
    'é,ü,"日本"\n',
    'tail cr\r',
  ];

  it.each(cases)('reads %j like the reference reader, in any piece size', async (text) => {
    const want = await reference(text);
    for (const size of [1, 2, 3, 7, 1000]) {
      expect(
        scanned(text, size).map(({ line, fields }) => ({ line, fields })),
        `pieces of ${size}`,
      ).toEqual(want);
    }
  });

  it('marks fields that cannot be copied byte for byte', () => {
    const [quotedTail, loneCr, plain] = scanned('"ab"c,1\nx\ry,2\n"p","q"\n', 1000);
    expect(quotedTail?.irregular).toBe(true);
    expect(loneCr?.irregular).toBe(true);
    expect(plain?.irregular).toBe(false);
    expect(IRREGULAR).toBe(4);
  });

  it('takes another delimiter and quote', async () => {
    const text = "a|'b|c'|'it''s'\n";
    expect(scanned(text, 2, '|', "'").map(({ line, fields }) => ({ line, fields }))).toEqual(
      await reference(text, '|', "'"),
    );
  });

  it('throws UnterminatedQuoteError naming the line the record starts on', () => {
    expect(() => scanned('a,b\n1,"open\nstill open\n', 4)).toThrow(UnterminatedQuoteError);
    try {
      scanned('a,b\n1,"open\nstill open\n', 4);
    } catch (error) {
      expect((error as UnterminatedQuoteError).line).toBe(2);
    }
  });

  it('agrees with the reference reader on random CSV-ish text', async () => {
    const alphabet = ['a', 'b', ',', '"', '\n', '\r', 'é', ' '];
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 300; n++) {
      let text = '';
      const len = rand() % 40;
      for (let i = 0; i < len; i++) text += alphabet[rand() % alphabet.length];
      let want: unknown;
      try {
        want = await reference(text);
      } catch (error) {
        want = error;
      }
      let got: unknown;
      try {
        got = scanned(text, 1 + (rand() % 5)).map(({ line, fields }) => ({ line, fields }));
      } catch (error) {
        got = error;
      }
      expect(got, JSON.stringify(text)).toEqual(want);
    }
  });
});
