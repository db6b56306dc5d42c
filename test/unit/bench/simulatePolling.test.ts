import { describe, expect, it } from 'vitest';
import {
  fixedStrategy,
  ourStrategy,
  pollGoal,
  proportionalStrategy,
  simulatePolling,
  uncappedDoublingStrategy,
} from '../../../bench/orchestration/simulatePolling.ts';

describe('Function: simulatePolling', () => {
  it('polls a fixed interval until the statement has ended', () => {
    // 60 s statement, poll every 10 s: at 10, 20, ..., 60 -> 6 polls, seen at once
    const result = simulatePolling(fixedStrategy(10), 60);
    expect(result).toMatchObject({ polls: 6, detectionDelaySeconds: 0, stateTransitions: 18 });
    // 65 s: the 7th poll at 70 s sees it 5 s late
    expect(simulatePolling(fixedStrategy(10), 65)).toMatchObject({ polls: 7, detectionDelaySeconds: 5 });
  });

  it('returns from a long poll as soon as the statement ends', () => {
    // first poll at 1 s, long poll of 20 s covers a 5 s statement: 1 poll, 0 delay, 4 s of task time
    const result = simulatePolling(ourStrategy(20), 5, { taskOverheadSeconds: 0 });
    expect(result).toMatchObject({ polls: 1, detectionDelaySeconds: 0, pollTaskSeconds: 4 });
  });

  it("follows pollDecision's elapsed-proportional wait without a long poll", () => {
    // polls at 1, 2(+1), 3(+1), 4(+1), 6(+2), 8(+2), 11(+3): a 10 s statement is seen at 11 s
    const result = simulatePolling(ourStrategy(0), 10);
    expect(result).toMatchObject({ polls: 7, detectionDelaySeconds: 1 });
    // polls at 1, 2, 4, 8, 16: doubling sees it at 16 s
    expect(simulatePolling(uncappedDoublingStrategy(), 10)).toMatchObject({
      polls: 5,
      detectionDelaySeconds: 6,
    });
  });

  it('meets the log goal with our 30 s long poll up to 5 h and sees the end within 0.3 T', () => {
    for (const seconds of [5, 31, 60, 300, 3600, 4 * 3600, 5 * 3600]) {
      const result = simulatePolling(ourStrategy(30), seconds);
      expect(result.polls).toBeLessThanOrEqual(pollGoal(seconds));
      expect(result.detectionDelaySeconds).toBeLessThanOrEqual(0.3 * seconds);
    }
    // 1 h: 14 polls where the 60 s cap of the first version took ~44
    expect(simulatePolling(ourStrategy(30), 3600).polls).toBe(14);
  });

  it('meets the log goal with the elapsed/2 proposal and sees the end within half the run time', () => {
    for (const seconds of [5, 60, 300, 3600, 14_400]) {
      const result = simulatePolling(proportionalStrategy(20), seconds);
      expect(result.polls).toBeLessThanOrEqual(pollGoal(seconds));
      expect(result.detectionDelaySeconds).toBeLessThanOrEqual(seconds / 2);
    }
  });

  it('prices each poll as 3 transitions, a request and its long poll time', () => {
    const result = simulatePolling(fixedStrategy(10), 10, { taskOverheadSeconds: 0.1, memoryMb: 1024 });
    expect(result.polls).toBe(1);
    expect(result.costUsd).toBeCloseTo(3 * 0.000025 + 0.0000002 + 0.1 * 0.0000166667, 12);
  });

  it('refuses a statement that outlives its deadline', () => {
    expect(() => simulatePolling(fixedStrategy(10), 100, { deadlineSeconds: 50 })).toThrow(/deadline/);
  });
});

describe('Function: pollGoal', () => {
  it.each([
    [1, 4],
    [4, 8],
    [1024, 24],
  ])('T=%i s -> %f polls', (seconds, goal) => {
    expect(pollGoal(seconds)).toBeCloseTo(goal, 9);
  });
});
