import { describe, expect, it } from 'vitest';
import { type CsvField, csvRecords, UnterminatedQuoteError } from '../../../src/load/csvRecords.ts';
import { CsvScanner, fieldText, IRREGULAR, QUOTED } from '../../../src/load/csvScanner.ts';

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

/** What csvRecords (the reference reader) makes of `text`. */
async function reference(text: string, delimiter = ',', quote = '"') {
  const out: { line: number; fields: CsvField[] }[] = [];
  for await (const r of csvRecords(once(text), { delimiter, quote })) out.push(r);
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

  it.each(cases)('reads %j like csvRecords, in any piece size', async (text) => {
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

  it('agrees with csvRecords on random CSV-ish text', async () => {
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
