import { describe, expect, it } from 'vitest';
import {
  type CsvField,
  CsvScanner,
  IRREGULAR,
  QUOTED,
  type ScannedRecord,
  UnterminatedQuoteError,
} from '../../../src/csv/csvScanner.ts';
import { fieldText } from '../../../src/csv/fieldText.ts';
import { seededRandom } from '../../helpers/seededRandom.ts';
import { copyCsvReference } from './copyCsvReference.ts';

/** What the character-by-character reference reader makes of `text`. */
function reference(text: string, delimiter = ',', quote = '"') {
  return [...copyCsvReference(text, { delimiter, quote })];
}

/** The fields of the record just scanned, each read with fieldText. */
function fieldsOf(buf: Buffer, r: ScannedRecord, quote: string): CsvField[] {
  const fields: CsvField[] = [];
  for (let i = 0; i < r.fieldCount; i++) {
    const flags = r.flags[i] as number;
    fields.push({
      value: fieldText(buf, r.starts[i] as number, r.ends[i] as number, flags, quote),
      quoted: (flags & QUOTED) !== 0,
    });
  }
  return fields;
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
      out.push({ line: r.line, fields: fieldsOf(buf, r, quote), irregular: r.irregular });
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

/**
 * The scanner over one buffer whose readable end (`limit`) grows by `step` bytes, as a reader
 * that fills a buffer in place would call it: the same bytes are scanned again after a record
 * ran past the limit, and positions found beyond the limit are reused.
 */
function scannedInPlace(text: string, step: number, delimiter = ',', quote = '"') {
  const buf = Buffer.from(text);
  const scanner = new CsvScanner(delimiter, quote);
  const r = scanner.record;
  const out: { line: number; fields: CsvField[] }[] = [];
  let pos = 0;
  for (let limit = Math.min(step, buf.length); ; limit = Math.min(limit + step, buf.length)) {
    const final = limit === buf.length;
    while (pos < limit && scanner.next(buf, pos, limit, final)) {
      out.push({ line: r.line, fields: fieldsOf(buf, r, quote) });
      pos = r.next;
    }
    if (final) return out;
  }
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
    const want = reference(text);
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
      reference(text, '|', "'"),
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
        want = reference(text);
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

  it('agrees with the reference reader on longer random text, pieces of 1 to 1000 bytes, in place or not', () => {
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 300; n++) {
      const [delimiter, quote] = n % 2 === 0 ? [',', '"'] : ['|', "'"];
      const alphabet = ['a', 'bc', delimiter, delimiter, quote, quote + quote, '\n', '\r\n', '\r', 'é', '日'];
      let text = '';
      const len = rand() % 400;
      for (let i = 0; i < len; i++) text += alphabet[rand() % alphabet.length];
      const outcome = (read: () => unknown) => {
        try {
          return read();
        } catch (error) {
          return error;
        }
      };
      const want = outcome(() => reference(text, delimiter, quote));
      const size = 1 + (rand() % 1000);
      const label = `${JSON.stringify(text)} in pieces of ${size}`;
      expect(
        outcome(() => scanned(text, size, delimiter, quote).map(({ line, fields }) => ({ line, fields }))),
        label,
      ).toEqual(want);
      expect(
        outcome(() => scannedInPlace(text, size, delimiter, quote)),
        `${label}, in place`,
      ).toEqual(want);
    }
  });

  it('skip counts the records next reads, with their lines, in pieces of any size', () => {
    const random = seededRandom(13);
    const pick = (n: number) => Math.floor(random() * n);
    for (let n = 0; n < 400; n++) {
      const [delimiter, quote] = n % 2 === 0 ? [',', '"'] : ['|', "'"];
      const alphabet = ['a', 'bc', delimiter, delimiter, quote, quote + quote, '\n', '\r\n', '\r', 'é'];
      let text = '';
      const len = pick(200);
      for (let i = 0; i < len; i++) text += alphabet[pick(alphabet.length)];
      const all = Buffer.from(text);
      const size = 1 + pick(50);
      const label = `${JSON.stringify(text)} in pieces of ${size}`;
      let want: unknown;
      try {
        want = reference(text, delimiter, quote).length;
      } catch (error) {
        want = error;
      }
      // Pieces appended to the unfinished record, as recordCounter feeds them.
      const scanner = new CsvScanner(delimiter, quote);
      let got: unknown = 0;
      let buf = Buffer.alloc(0);
      try {
        let count = 0;
        for (let o = 0; o <= all.length; o += size) {
          buf = Buffer.concat([buf, all.subarray(o, o + size)]);
          const final = o + size >= all.length;
          count += scanner.skip(buf, 0, buf.length, final);
          buf = buf.subarray(scanner.skippedTo);
          if (final) break;
        }
        got = count;
      } catch (error) {
        got = error;
      }
      expect(got, label).toEqual(want);
      // Lines go on as next counts them: a record read after skipped ones starts on the right line.
      if (typeof want === 'number' && want > 0) {
        const reader = new CsvScanner(delimiter, quote);
        const skipped = reader.skip(all, 0, all.length, false);
        const rest = all.subarray(reader.skippedTo);
        if (rest.length > 0 && reader.next(rest, 0, rest.length, true)) {
          expect(reader.record.line, label).toBe(reference(text, delimiter, quote)[skipped]?.line);
        }
      }
    }
  });

  it('skip takes a quote as text unless it starts a field', () => {
    const scanner = new CsvScanner(',', '"');
    // `x"y` and `ab"cd` hold text quotes; `"e\nf"` is a quoted field with a line feed inside.
    const data = Buffer.from('x"y,1\n"ab"cd,"e\nf"\n2,"""",3\n');
    expect(scanner.skip(data, 0, data.length, false)).toBe(3);
    expect(scanner.skippedTo).toBe(data.length);
    expect(reference(data.toString())).toHaveLength(3);
    const pipe = new CsvScanner('|', '"');
    const piped = Buffer.from('a,"b|c\nd"\na|"b,c\nd"\n');
    // With `|` as the delimiter, the first quote is text (after a comma): three records, not two.
    expect(pipe.skip(piped, 0, piped.length, true)).toBe(3);
    expect(reference(piped.toString(), '|')).toHaveLength(3);
  });

  it('reads a buffer again from an earlier offset', () => {
    const scanner = new CsvScanner(',', '"');
    const data = Buffer.from('a,b\nc\r\n"d\n",e\n');
    const ends = () => {
      const out: number[][] = [];
      for (let pos = 0; pos < data.length && scanner.next(data, pos, data.length, true); ) {
        out.push([...scanner.record.ends.subarray(0, scanner.record.fieldCount)]);
        pos = scanner.record.next;
      }
      return out;
    };
    const first = ends();
    expect(first).toEqual([[1, 3], [5], [11, 13]]);
    expect(ends()).toEqual(first);
  });

  it('scans a single-column file with no delimiter in linear time', () => {
    const scanner = new CsvScanner(',', '"');
    const data = Buffer.from('x\n'.repeat(200_000));
    let pos = 0;
    let n = 0;
    while (pos < data.length && scanner.next(data, pos, data.length, true)) {
      pos = scanner.record.next;
      n++;
    }
    expect(n).toBe(200_000);
  });
});
