import { describe, expect, it } from 'vitest';
import {
  exportStreaming,
  exportZeroCopy,
  SCALE_ASSUMPTIONS,
  scaleCost,
} from '../../../bench/cost/scaleCost.ts';
import { AWS_RATES } from '../../../bench/lib/costModel.ts';

describe('Function: scaleCost (1 TB model)', () => {
  it('prices zero-copy as a HEAD and a CopyObject per part and no bytes through Lambda', () => {
    const line = exportZeroCopy();
    expect(line.bytesThroughCompute).toBe(0);
    expect(line.s3Requests).toBe(2 * SCALE_ASSUMPTIONS.parts);
    // 10,000 parts x (100 MB / 100 MB/s + 0.1 s) at 1769 MB = 19,003 GB-s.
    expect(line.lambdaGbSeconds).toBeCloseTo(11_000 * (1769 / 1024), 0);
    const requests = 10_000 * (AWS_RATES.s3PutPerRequest + AWS_RATES.s3GetPerRequest);
    expect(line.usd).toBeGreaterThan(requests + line.lambdaGbSeconds * AWS_RATES.lambdaPerGbSecondX86);
  });

  it('prices streaming with its multipart uploads (12 parts of 8 MiB + create + complete) and 2 TB through Lambda', () => {
    const line = exportStreaming();
    expect(line.bytesThroughCompute).toBe(2e12);
    expect(line.s3Requests).toBe(10_000 * (12 + 2) + 10_000);
    expect(line.usd).toBeGreaterThan(exportZeroCopy().usd);
  });

  it('lists every path for the export and the load, each with a positive price', () => {
    const cost = scaleCost();
    expect(cost.export.map((l) => l.path)).toHaveLength(4);
    expect(cost.load.map((l) => l.path)).toHaveLength(3);
    for (const line of [...cost.export, ...cost.load]) expect(line.usd).toBeGreaterThan(0);
  });
});
