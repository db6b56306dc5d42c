import { describe, expect, it } from 'vitest';
import { deriveRunId, executionInputSchema, utcDate } from '../../../src/job/runContext.ts';
import { formatIssues } from '../../../src/validation/formatIssues.ts';

describe('deriveRunId', () => {
  const base = { jobName: 'orders', runDate: '2024-01-31' };

  it('is <yyyymmdd>-<12 hex> and the same for the same job, date and execution', () => {
    const id = deriveRunId(base);
    expect(id).toMatch(/^20240131-[0-9a-f]{12}$/);
    expect(deriveRunId({ ...base })).toBe(id);
    expect(deriveRunId({ ...base, executionName: undefined })).toBe(id);
  });

  it.each([
    ['another job', { jobName: 'customers' }],
    ['another date', { runDate: '2024-02-01' }],
    ['an execution name', { executionName: 'nightly-1' }],
  ])('differs for %s', (_name, change) => {
    expect(deriveRunId({ ...base, ...change })).not.toBe(deriveRunId(base));
  });
});

describe('utcDate', () => {
  it('is the UTC calendar date, whatever the local time zone', () => {
    expect(utcDate(new Date('2024-01-31T23:59:59.999Z'))).toBe('2024-01-31');
    expect(utcDate(new Date('2024-02-01T00:30:00+02:00'))).toBe('2024-01-31');
  });
});

describe('executionInputSchema', () => {
  it.each([[{ job: { kind: 'export' } }], [{ jobName: 'orders', runId: 'r_1-A', runDate: '2024-01-31' }]])(
    'accepts %j',
    (input) => {
      expect(executionInputSchema.safeParse(input).success).toBe(true);
    },
  );

  it.each([
    [{}, ['give exactly one of "job" (a job document) or "jobName" (a file in jobs/)']],
    [
      { job: {}, jobName: 'orders' },
      ['give exactly one of "job" (a job document) or "jobName" (a file in jobs/)'],
    ],
    [{ jobName: 'orders', runId: '-x' }, ['runId: expected 1-80 letters, digits, "_" or "-"']],
    [{ jobName: 'orders', runId: 'a'.repeat(81) }, ['runId: expected 1-80 letters, digits, "_" or "-"']],
    [{ jobName: 'orders', runDate: '2024-13-01' }, ['runDate: expected a date like "2024-01-31"']],
    [{ jobName: 'orders', extra: 1 }, ['Unrecognized key: "extra"']],
  ])('rejects %j', (input, issues) => {
    const parsed = executionInputSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(formatIssues(parsed.error?.issues ?? [])).toEqual(issues);
  });
});
