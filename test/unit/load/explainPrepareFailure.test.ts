import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartProcessingError, SchemaMismatchError } from '../../../src/errors.ts';
import { explainPrepareFailure } from '../../../src/load/explainPrepareFailure.ts';
import type { LoadContext } from '../../../src/load/loadRun.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';

const context = (runId: string): LoadContext => ({
  runId,
  runDate: '2024-05-01',
  stagingPrefix: `s3://stage/loads/sales/${runId}/`,
  table: { schema: 'public', name: 'sales' },
  tableColumns: [
    {
      name: 'id',
      type: 'integer',
      nullable: true,
      hasDefault: false,
      maxLength: null,
      precision: null,
      scale: null,
    },
  ],
  fileColumns: ['id'],
  slices: 1,
  partCount: 300,
});

describe('Function: explainPrepareFailure', () => {
  let s3: TestS3;

  beforeAll(async () => {
    s3 = await startTestS3();
    await s3.client.send(new CreateBucketCommand({ Bucket: 'stage' }));
  });

  afterAll(async () => {
    await s3.stop();
  });

  const record = (runId: string, index: number, name: string, message: string) =>
    s3.client.send(
      new PutObjectCommand({
        Bucket: 'stage',
        Key: `loads/sales/${runId}/failed/p${String(index).padStart(5, '0')}.json`,
        Body: JSON.stringify({ index, name, message }),
      }),
    );

  it('throws the named error of the first failed part', async () => {
    await record('r1', 210, 'BadRecordError', 'later part');
    // Part 5 failed in an earlier attempt of this run id and has succeeded since.
    await record('r1', 5, 'BadRecordError', 'stale');
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'stage', Key: 'loads/sales/r1/parts/p00005.json', Body: '{}' }),
    );
    await record('r1', 12, 'SchemaMismatchError', 'The header of s3://landing/x.csv (line 1) does not match');
    const error = await explainPrepareFailure(s3.client, context('r1'), {
      Error: 'States.ExceedToleratedFailureThreshold',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as Error).message).toBe('The header of s3://landing/x.csv (line 1) does not match');
  });

  it('wraps an unnamed error, and says so when no part recorded anything', async () => {
    await record('r2', 3, 'TypeError', 'x is undefined');
    await expect(explainPrepareFailure(s3.client, context('r2'), {})).rejects.toThrow(
      new PartProcessingError('Part 3 failed (TypeError): x is undefined'),
    );
    const error = await explainPrepareFailure(s3.client, context('r3'), {
      Error: 'States.ExceedToleratedFailureThreshold',
      Cause: 'threshold exceeded',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartProcessingError);
    expect((error as Error).message).toMatch(
      /^Preparing the parts failed \(States\.ExceedToleratedFailureThreshold: threshold exceeded\) and no part recorded why/,
    );
  });
});
