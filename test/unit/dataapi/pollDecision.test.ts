import { describe, expect, it } from 'vitest';
import { pollDecision } from '../../../src/dataapi/pollDecision.ts';

const startedAt = 1_700_000_000_000;
const deadline = startedAt + 3600_000;

describe('Function: pollDecision', () => {
  it.each([
    // status, attempt, seconds since start, expected
    ['SUBMITTED', 0, 0, { done: false, outcome: 'running', nextWaitSeconds: 1 }],
    ['PICKED', 1, 1, { done: false, outcome: 'running', nextWaitSeconds: 2 }],
    ['STARTED', 2, 3, { done: false, outcome: 'running', nextWaitSeconds: 4 }],
    ['STARTED', 5, 60, { done: false, outcome: 'running', nextWaitSeconds: 32 }],
    ['STARTED', 6, 100, { done: false, outcome: 'running', nextWaitSeconds: 60 }],
    ['STARTED', 40, 1000, { done: false, outcome: 'running', nextWaitSeconds: 60 }],
    ['STARTED', 10, 3590, { done: false, outcome: 'running', nextWaitSeconds: 10 }],
    ['STARTED', 10, 3599.5, { done: false, outcome: 'running', nextWaitSeconds: 1 }],
    ['STARTED', 10, 3600, { done: true, outcome: 'deadline', nextWaitSeconds: 0 }],
    ['FINISHED', 3, 10, { done: true, outcome: 'finished', nextWaitSeconds: 0 }],
    ['FINISHED', 3, 4000, { done: true, outcome: 'finished', nextWaitSeconds: 0 }],
    ['FAILED', 0, 1, { done: true, outcome: 'failed', nextWaitSeconds: 0 }],
    ['ABORTED', 0, 1, { done: true, outcome: 'aborted', nextWaitSeconds: 0 }],
  ] as const)('%s at attempt %i, %is in -> %j', (status, attempt, seconds, expected) => {
    expect(pollDecision({ status, attempt, startedAt, deadline, now: startedAt + seconds * 1000 })).toEqual(
      expected,
    );
  });
});
