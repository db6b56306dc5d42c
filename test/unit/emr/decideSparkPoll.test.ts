import { describe, expect, it } from 'vitest';
import { decideSparkPoll, nextSparkWaitSeconds } from '../../../src/emr/decideSparkPoll.ts';

const now = 1_800_000_000_000;
const inAnHour = now + 3_600_000;

describe('Function: decideSparkPoll', () => {
  it.each([
    ['COMPLETED', { action: 'done' }],
    ['FAILED', { action: 'fail' }],
    ['CANCELLED', { action: 'fail' }],
    ['INTERRUPTED', { action: 'fail' }],
    ['PENDING', { action: 'wait', nextWaitSeconds: 10 }],
    ['RUNNING', { action: 'wait', nextWaitSeconds: 10 }],
    ['CANCEL_PENDING', { action: 'wait', nextWaitSeconds: 10 }],
  ] as const)('%s before the deadline -> %j', (state, decision) => {
    expect(decideSparkPoll(state, 0, now, inAnHour)).toEqual(decision);
  });

  it.each(['PENDING', 'RUNNING'] as const)('%s at or past the deadline -> cancel', (state) => {
    expect(decideSparkPoll(state, 5, inAnHour, inAnHour)).toEqual({ action: 'cancel' });
    expect(decideSparkPoll(state, 5, inAnHour + 1, inAnHour)).toEqual({ action: 'cancel' });
  });

  it('a finished step is finished even past the deadline', () => {
    expect(decideSparkPoll('COMPLETED', 9, inAnHour + 5000, inAnHour)).toEqual({ action: 'done' });
    expect(decideSparkPoll('FAILED', 9, inAnHour + 5000, inAnHour)).toEqual({ action: 'fail' });
  });
});

describe('Function: nextSparkWaitSeconds', () => {
  it('backs off exponentially from 10 s to a 120 s cap', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((a) => nextSparkWaitSeconds(a, now, inAnHour))).toEqual([
      10, 20, 40, 80, 120, 120, 120,
    ]);
  });

  it('never waits past the deadline, and at least 1 s', () => {
    expect(nextSparkWaitSeconds(4, now, now + 30_500)).toBe(31);
    expect(nextSparkWaitSeconds(4, now, now + 200)).toBe(1);
    expect(nextSparkWaitSeconds(4, now, now - 5000)).toBe(1);
  });
});
