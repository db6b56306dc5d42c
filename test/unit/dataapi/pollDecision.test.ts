import { describe, expect, it } from 'vitest';
import { pollDecision } from '../../../src/dataapi/pollDecision.ts';

const startedAt = 1_700_000_000_000;
const deadline = startedAt + 3600_000;
const longDeadline = startedAt + 86_400_000;

describe('Function: pollDecision', () => {
  it.each([
    // status, attempt, seconds since start, deadline, expected
    ['SUBMITTED', 0, 0, deadline, { done: false, outcome: 'running', nextWaitSeconds: 1 }],
    ['PICKED', 1, 1, deadline, { done: false, outcome: 'running', nextWaitSeconds: 1 }],
    ['STARTED', 2, 3.4, deadline, { done: false, outcome: 'running', nextWaitSeconds: 2 }],
    // after the first 30 s long poll: 0.3 x 31 s, rounded up
    ['STARTED', 1, 31, deadline, { done: false, outcome: 'running', nextWaitSeconds: 10 }],
    ['STARTED', 5, 100, deadline, { done: false, outcome: 'running', nextWaitSeconds: 30 }],
    ['STARTED', 8, 1000, deadline, { done: false, outcome: 'running', nextWaitSeconds: 300 }],
    // the attempt count does not matter, only the elapsed time
    ['STARTED', 40, 1000, deadline, { done: false, outcome: 'running', nextWaitSeconds: 300 }],
    // capped at 15 min
    ['STARTED', 12, 3000, longDeadline, { done: false, outcome: 'running', nextWaitSeconds: 900 }],
    ['STARTED', 30, 40_000, longDeadline, { done: false, outcome: 'running', nextWaitSeconds: 900 }],
    // never past the deadline
    ['STARTED', 12, 3000, deadline, { done: false, outcome: 'running', nextWaitSeconds: 600 }],
    ['STARTED', 10, 3590, deadline, { done: false, outcome: 'running', nextWaitSeconds: 10 }],
    ['STARTED', 10, 3599.5, deadline, { done: false, outcome: 'running', nextWaitSeconds: 1 }],
    ['STARTED', 10, 3600, deadline, { done: true, outcome: 'deadline', nextWaitSeconds: 0 }],
    ['FINISHED', 3, 10, deadline, { done: true, outcome: 'finished', nextWaitSeconds: 0 }],
    ['FINISHED', 3, 4000, deadline, { done: true, outcome: 'finished', nextWaitSeconds: 0 }],
    ['FAILED', 0, 1, deadline, { done: true, outcome: 'failed', nextWaitSeconds: 0 }],
    ['ABORTED', 0, 1, deadline, { done: true, outcome: 'aborted', nextWaitSeconds: 0 }],
  ] as const)('%s at attempt %i, %is in -> %j', (status, attempt, seconds, end, expected) => {
    expect(
      pollDecision({ status, attempt, startedAt, deadline: end, now: startedAt + seconds * 1000 }),
    ).toEqual(expected);
  });

  it('treats a clock before the start as no time elapsed', () => {
    expect(
      pollDecision({ status: 'STARTED', attempt: 0, startedAt, deadline, now: startedAt - 5000 }),
    ).toEqual({
      done: false,
      outcome: 'running',
      nextWaitSeconds: 1,
    });
  });
});
