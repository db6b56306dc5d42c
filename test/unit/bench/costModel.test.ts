import { describe, expect, it } from 'vitest';
import { AWS_RATES, gbSeconds, priceRun } from '../../../bench/lib/costModel.ts';

describe('Function: priceRun', () => {
  it('prices transitions, requests and GB-s at the published rates', () => {
    // Prepare: 1,000 transitions = $0.025; 1M requests = $0.20; 1 GB-s = $0.0000166667
    const cost = priceRun({ stateTransitions: 1000, lambdaInvocations: 1_000_000, lambdaGbSeconds: 1 });
    // Assess
    expect(cost.stepFunctions).toBeCloseTo(0.025, 10);
    expect(cost.lambdaRequests).toBeCloseTo(0.2, 10);
    expect(cost.lambdaDuration).toBeCloseTo(0.0000166667, 12);
    expect(cost.total).toBeCloseTo(0.2250166667, 10);
  });

  it('costs nothing for nothing', () => {
    expect(priceRun({ stateTransitions: 0, lambdaInvocations: 0, lambdaGbSeconds: 0 }).total).toBe(0);
  });

  it('keeps the rates in one table', () => {
    expect(AWS_RATES.sfnStandardPerTransition).toBe(0.000025);
    expect(AWS_RATES.lambdaPerRequest).toBeCloseTo(2e-7, 15);
  });
});

describe('Function: gbSeconds', () => {
  it.each([
    // invocations, seconds, memory MB, GB-s
    [1, 1, 1024, 1],
    [10, 0.1, 512, 0.5],
    [1, 20, 128, 2.5],
    // billed in whole milliseconds
    [1, 0.0001, 1024, 0.001],
  ])('%i x %f s at %i MB = %f GB-s', (invocations, seconds, memory, expected) => {
    expect(gbSeconds(invocations, seconds, memory)).toBeCloseTo(expected, 9);
  });
});
