import { describe, expect, it } from 'vitest';
import { planChunks } from '../../../src/load/chunkPlan.ts';

const MB = 1024 * 1024;

describe('Function: planChunks', () => {
  it('splits by size and rounds the total up to a multiple of the slices, largest objects first', () => {
    expect(planChunks([10 * MB, 130 * MB, 1 * MB], 64 * MB, 4)).toEqual([2, 4, 2]);
    const counts = planChunks([10 * MB, 130 * MB, 1 * MB], 64 * MB, 4);
    expect(counts.reduce((a, b) => a + b, 0) % 4).toBe(0);
  });

  it('keeps one chunk per object when the slices already divide the total', () => {
    expect(planChunks([5, 5], 64 * MB, 2)).toEqual([1, 1]);
    expect(planChunks([5, 5, 5], 64 * MB, 2)).toEqual([2, 1, 1]);
    expect(planChunks([], 64 * MB, 2)).toEqual([]);
  });

  it('never gives an object more than the cap', () => {
    expect(planChunks([1000 * MB], 1 * MB, 4, 8)).toEqual([8]);
    expect(planChunks([1000 * MB, 1], 1 * MB, 4, 8)).toEqual([8, 4]);
  });
});
