import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { failedRun } from '../../../src/lineage/failedRun.ts';

const jobSchema = z.object({ name: z.string() });
const now = new Date('2026-01-02T03:04:05Z');

describe('Function: failedRun', () => {
  it("gives the job and the FAIL happening of a state the ASL's Catch filled", () => {
    const state = { runId: 'r1', job: { name: 'daily' }, error: { Error: 'UnloadFailed', Cause: 'no rows' } };
    expect(failedRun(state, jobSchema, 'eu-west-1', now)).toEqual({
      job: { name: 'daily' },
      happening: {
        eventType: 'FAIL',
        runId: 'r1',
        region: 'eu-west-1',
        now,
        error: { name: 'UnloadFailed', message: 'no rows' },
      },
    });
  });

  it.each([
    ['no error', { runId: 'r1', job: { name: 'daily' } }],
    ['no run id', { job: { name: 'daily' }, error: { Error: 'X' } }],
    ['no valid job', { runId: 'r1', job: { nom: 1 }, error: { Error: 'X' } }],
    ['not an object', 'oops'],
  ])('is undefined with %s', (_, state) => {
    expect(failedRun(state, jobSchema, 'eu-west-1', now)).toBeUndefined();
  });

  it('names an error without a name "Error" and an error without a cause ""', () => {
    const failed = failedRun({ runId: 'r1', job: { name: 'd' }, error: {} }, jobSchema, 'us-east-1', now);
    expect(failed?.happening.error).toEqual({ name: 'Error', message: '' });
  });
});
