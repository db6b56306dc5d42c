import { snappyUncompress } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { snappyCompress } from '../../../../../local/redshift/commands/unload/snappyCompress.ts';

function roundTrip(input: Uint8Array): Uint8Array {
  const compressed = snappyCompress(input);
  const out = new Uint8Array(input.length);
  snappyUncompress(compressed, out);
  return out;
}

describe('snappyCompress', () => {
  it('round-trips through a Snappy decoder: empty, tiny, repetitive, random, multi-block, long literals', () => {
    let seed = 7;
    const random = (n: number) =>
      Uint8Array.from({ length: n }, () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed & 0xff;
      });
    const text = new TextEncoder().encode(
      Array.from({ length: 20000 }, (_, i) => `note, with "quotes" | pipes ${i},buyer_${i % 977}`).join('\n'),
    );
    const inputs = [
      new Uint8Array(0),
      Uint8Array.from([1]),
      new Uint8Array(14),
      new Uint8Array(100000).fill(42),
      random(70000),
      text,
      Uint8Array.from([...random(300), ...random(300)]),
      Uint8Array.from({ length: 200000 }, (_, i) => (i * 7) % 251),
    ];
    for (const input of inputs) expect(Buffer.from(roundTrip(input)).equals(Buffer.from(input))).toBe(true);
    // It does compress what repeats.
    expect(snappyCompress(text).length).toBeLessThan(text.length / 2);
  });
});
