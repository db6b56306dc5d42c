import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteBatcher } from '../../../src/parts/byteBatcher.ts';

async function batches(chunks: Buffer[], minBytes: number) {
  const batcher = new ByteBatcher(minBytes);
  const out: Buffer[] = [];
  for await (const batch of Readable.from(chunks).pipe(batcher)) out.push(batch as Buffer);
  return { out, bytes: batcher.bytes };
}

describe('Class: ByteBatcher', () => {
  it('joins small pieces into batches of at least the minimum, bytes unchanged and in order', async () => {
    // Prepare: 1,000 pieces of 1-37 bytes, as a socket might deliver them.
    const pieces = Array.from({ length: 1000 }, (_, i) => Buffer.alloc(1 + (i % 37), i % 251));
    const all = Buffer.concat(pieces);

    // Act
    const { out, bytes } = await batches(pieces, 1024);

    // Assess
    expect(Buffer.concat(out).equals(all)).toBe(true);
    expect(bytes).toBe(all.length);
    for (const batch of out.slice(0, -1)) expect(batch.length).toBeGreaterThanOrEqual(1024);
    expect(out.length).toBeLessThanOrEqual(Math.ceil(all.length / 1024));
  });

  it('passes a piece as large as a batch on without copying it', async () => {
    const large = Buffer.alloc(4096, 7);
    const { out } = await batches([large], 1024);
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(large);
  });

  it('flushes a short last batch and counts it; an empty stream yields nothing', async () => {
    const { out, bytes } = await batches([Buffer.from('ab'), Buffer.from('c')], 1024);
    expect(out.map((b) => b.toString())).toEqual(['abc']);
    expect(bytes).toBe(3);
    expect(await batches([], 1024)).toEqual({ out: [], bytes: 0 });
  });
});
