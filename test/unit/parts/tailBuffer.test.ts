import { describe, expect, it } from 'vitest';
import { TailBuffer } from '../../../src/parts/tailBuffer.ts';

describe('Class: TailBuffer', () => {
  it.each([1, 5, 16, 100, 1000])('keeps the last %i bytes whatever the chunking', (limit) => {
    const data = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7) % 256));
    for (const size of [1, 3, 16, 17, 64, 600]) {
      const tail = new TailBuffer(limit);
      for (let i = 0; i < data.length; i += size) tail.push(data.subarray(i, i + size));
      expect(tail.bytes().equals(data.subarray(Math.max(0, data.length - limit))), `chunks of ${size}`).toBe(
        true,
      );
    }
  });

  it('keeps only the chunks that hold the tail', () => {
    const tail = new TailBuffer(10);
    for (let i = 0; i < 1000; i++) tail.push(Buffer.alloc(4, i));
    expect((tail as unknown as { chunks: Uint8Array[] }).chunks.length).toBe(3);
    expect([...tail.bytes()]).toEqual([997, 997, 998, 998, 998, 998, 999, 999, 999, 999].map((b) => b % 256));
  });

  it('gives an empty buffer for an empty stream', () => {
    const tail = new TailBuffer(10);
    tail.push(Buffer.alloc(0));
    expect(tail.bytes().length).toBe(0);
  });
});
