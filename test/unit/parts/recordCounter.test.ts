import { describe, expect, it } from 'vitest';
import { createRecordCounter } from '../../../src/parts/recordCounter.ts';
import { seededRandom } from '../../helpers/seededRandom.ts';
import { copyCsvReference } from '../csv/copyCsvReference.ts';

/** A deterministic CSV of `n` records whose fields hold quotes, "" escapes and line breaks. */
function csv(n: number, seed: number): string {
  let x = seed;
  const rand = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const field = () => {
    const r = rand();
    if (r < 0.5) return String(Math.floor(rand() * 1e6));
    if (r < 0.7) return '"quoted, with a ""quote"""';
    if (r < 0.85) return '"line\nbreak\r\ninside"';
    if (r < 0.95) return '';
    return '"""\n"""';
  };
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push([field(), field(), field()].join(','));
  return `${lines.join('\n')}\n`;
}

function count(body: Buffer, cuts: number[], delimiter?: string): number {
  const counter = createRecordCounter('csv', { delimiter });
  let from = 0;
  for (const cut of [...cuts, body.length]) {
    counter.write(body.subarray(from, cut));
    from = cut;
  }
  return counter.end();
}

describe('Function: createRecordCounter (csv)', () => {
  it('counts records with quoted line breaks and "" escapes, however the bytes are chunked', () => {
    const body = Buffer.from(csv(500, 7));
    expect(count(body, [])).toBe(500);
    // Every cut of a small file, and random cuts of the large one.
    const small = Buffer.from('a,"x\n""y"""\nb,c\n"\n",d\n');
    for (let i = 0; i <= small.length; i++) {
      for (let j = i; j <= small.length; j++) expect(count(small, [i, j])).toBe(3);
    }
    for (let k = 1; k < 50; k++) {
      const cuts = Array.from(
        { length: 20 },
        (_, i) => Math.floor(((i + 1) * body.length * k) / 1000) % body.length,
      );
      expect(
        count(
          body,
          cuts.sort((a, b) => a - b),
        ),
      ).toBe(500);
    }
  });

  it('counts a last record without a line feed, and nothing for nothing', () => {
    expect(count(Buffer.from('a,b\nc,d'), [])).toBe(2);
    expect(count(Buffer.from('a,"b\n'), [])).toBe(1);
    expect(count(Buffer.alloc(0), [])).toBe(0);
    expect(count(Buffer.from('\n\n'), [1])).toBe(2);
  });

  it('takes a quote as text unless it starts a field, with the UNLOAD delimiter', () => {
    // `x"y` holds a text quote: a quote-parity count would run the two records into one.
    expect(count(Buffer.from('x"y,1\n2,3\n'), [])).toBe(2);
    // With `|`, a quote after `|` opens a field and one after a comma is text; with `,` the reverse.
    const piped = Buffer.from('x|"multi\nline"\n2|3\n');
    const commas = Buffer.from('x,"multi\nline"\n2,3\n');
    expect([count(piped, [], '|'), count(piped, [], ',')]).toEqual([2, 3]);
    expect([count(commas, [], '|'), count(commas, [], ',')]).toEqual([3, 2]);
    for (let i = 0; i <= piped.length; i++) expect(count(piped, [i], '|')).toBe(2);
  });

  it('counts the records the COPY CSV reference reader reads, in any chunks', () => {
    const random = seededRandom(5);
    const pick = (n: number) => Math.floor(random() * n);
    for (let n = 0; n < 300; n++) {
      const delimiter = n % 2 === 0 ? ',' : '|';
      const alphabet = ['a', 'bc', delimiter, delimiter, '"', '""', '\n', '\r\n', '\r', 'é'];
      let text = '';
      const len = pick(200);
      for (let i = 0; i < len; i++) text += alphabet[pick(alphabet.length)];
      // Close an open quote, as UNLOAD always does: the reference reader throws on an open one.
      if ((text.match(/"/g) ?? []).length % 2 === 1) text += '"';
      let want: number;
      try {
        want = [...copyCsvReference(text, { delimiter, quote: '"' })].length;
      } catch {
        continue;
      }
      const body = Buffer.from(text);
      const cuts = [pick(body.length + 1), pick(body.length + 1)].sort((a, b) => a - b);
      expect(count(body, cuts, delimiter), `${JSON.stringify(text)} cut at ${cuts}`).toBe(want);
    }
  });
});
