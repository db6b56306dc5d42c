import { describe, expect, it } from 'vitest';
import { parseBenchArgs, parseCount, SUITES } from '../../../bench/options.ts';

describe('Function: parseBenchArgs', () => {
  it('runs every suite at full size by default', () => {
    const options = parseBenchArgs([]);
    expect(options.suites).toEqual([...SUITES]);
    expect(options.partSizes).toEqual([100_000_000, 1_000_000_000]);
    expect(options.rows).toBe(1_000_000);
    expect(options.partCounts).toEqual([10, 200, 1_000, 10_000, 100_000]);
  });

  it('runs a subset, once each, with flags in any order', () => {
    const options = parseBenchArgs(['orchestration', '--quick', 'polling', 'orchestration']);
    expect(options.suites).toEqual(['orchestration', 'polling']);
    expect(options.partSizes).toEqual([100_000_000]);
    expect(options.partCounts.at(-1)).toBe(10_000);
  });

  it('reads --rows, --big and --work-dir', () => {
    expect(parseBenchArgs(['--rows=250k']).rows).toBe(250_000);
    expect(parseBenchArgs(['--big']).rows).toBe(10_000_000);
    expect(parseBenchArgs(['--work-dir=/data/bench']).workDir).toBe('/data/bench');
  });

  it('rejects an unknown suite with the list of valid ones', () => {
    expect(() => parseBenchArgs(['orchestraton'])).toThrow(
      /Unknown benchmark or flag "orchestraton"[\s\S]*part-processing/,
    );
  });
});

describe('Function: parseCount', () => {
  it.each([
    ['1000000', 1_000_000],
    ['1_000', 1_000],
    ['10M', 10_000_000],
    ['250k', 250_000],
  ])('%s -> %i', (text, value) => {
    expect(parseCount(text, '--rows')).toBe(value);
  });

  it.each(['', 'ten', '-5', '0', '1.5M'])('rejects %j naming the flag', (text) => {
    expect(() => parseCount(text, '--rows')).toThrow(/--rows/);
  });
});
