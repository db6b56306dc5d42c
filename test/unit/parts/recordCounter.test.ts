import { describe, expect, it } from 'vitest';
import { createRecordCounter } from '../../../src/parts/recordCounter.ts';

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

function count(body: Buffer, cuts: number[]): number {
  const counter = createRecordCounter('csv');
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
});
