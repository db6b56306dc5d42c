import { describe, expect, it } from 'vitest';
import { formatRuns } from '../../../cli/runHistory.ts';
import { jobOf, runRow } from '../../../src/runs/runSummary.ts';

const start = new Date('2026-01-02T03:04:05.000Z');
const stop = new Date('2026-01-02T03:04:17.500Z');

describe('runRow', () => {
  it("reads an export's rows, bytes and parts from output.result", () => {
    const row = runRow('export', {
      $metadata: {},
      name: 'n1',
      executionArn: 'arn:x:n1',
      status: 'SUCCEEDED',
      startDate: start,
      stopDate: stop,
      input: JSON.stringify({ job: { name: 'nightly' } }),
      output: JSON.stringify({ result: { rows: 1200, bytes: 3_400_000, parts: 4 } }),
    } as never);
    expect(row).toMatchObject({
      job: 'nightly',
      rows: 1200,
      bytes: 3_400_000,
      parts: 4,
      status: 'SUCCEEDED',
    });
  });

  it("reads a load report's merged rows and objects; no bytes", () => {
    const row = runRow('load', {
      status: 'SUCCEEDED',
      output: JSON.stringify({ result: { merged: 7, objects: 2, records: 9 } }),
    } as never);
    expect(row).toMatchObject({ rows: 7, parts: 2, bytes: undefined });
  });

  it('keeps the named error of a failed run and tolerates missing output', () => {
    const row = runRow('export', {
      status: 'FAILED',
      error: 'RowCountMismatchError',
      input: 'not json',
    } as never);
    expect(row).toMatchObject({ error: 'RowCountMismatchError', rows: undefined, job: undefined });
  });
});

describe('jobOf', () => {
  it('takes input.job.name, else input.jobName', () => {
    expect(jobOf('{"job":{"name":"a"}}')).toBe('a');
    expect(jobOf('{"jobName":"b"}')).toBe('b');
    expect(jobOf(undefined)).toBeUndefined();
  });
});

describe('formatRuns', () => {
  it('prints one aligned line per run with - for unknown figures', () => {
    const text = formatRuns(
      [
        {
          name: 'n1',
          executionArn: 'a',
          kind: 'export',
          job: 'nightly',
          status: 'SUCCEEDED',
          start,
          stop,
          rows: 1200,
          bytes: 3_400_000,
          parts: 4,
        },
        { name: 'n2', executionArn: 'b', kind: 'load', status: 'RUNNING', start },
      ],
      new Date('2026-01-02T03:05:05.000Z'),
    );
    expect(text.split('\n')).toEqual([
      'STATUS     START (UTC)          DURATION  KIND    JOB       ROWS   BYTES  PARTS  ERROR  EXECUTION',
      'SUCCEEDED  2026-01-02 03:04:05     12.5s  export  nightly  1,200  3.4 MB      4         n1',
      'RUNNING    2026-01-02 03:04:05     1m00s  load    -            -       -      -         n2',
      '',
    ]);
  });
});
