import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../cli/progress.ts';
import { formatSummary } from '../../../cli/summary.ts';

const progress: Progress = { rows: 0, bytes: 0, partsDone: 0 };

describe('formatSummary', () => {
  it("prints a load's skipped empty objects with their reason", () => {
    const description = {
      status: 'SUCCEEDED',
      name: 'run-1',
      startDate: new Date(0),
      stopDate: new Date(2000),
      executionArn: 'arn:aws:states:local:0:execution:load:run-1',
      output: JSON.stringify({
        result: { table: 'public.t', mode: 'append', objects: 1, records: 1, rowsRead: 1, inserted: 1 },
        skipped: [{ uri: 's3://landing/in/empty.csv', reason: 'empty object' }],
        skippedCount: 1,
      }),
      $metadata: {},
    } as unknown as DescribeExecutionCommandOutput;
    const text = formatSummary(description, [], progress);
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        '  objects  1 loaded, 0 skipped (loaded by earlier runs), 1 skipped (empty)',
        '    skipped s3://landing/in/empty.csv (empty object)',
      ]),
    );
  });
});
