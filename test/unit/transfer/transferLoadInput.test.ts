import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_LISTED_UNLOAD_FILES,
  planTransfer,
  transferLoadInput,
} from '../../../src/transfer/planTransfer.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';

const transfer = {
  kind: 'transfer',
  name: 'copy-sales',
  source: {
    target: { clusterIdentifier: 'src', database: 'dev', dbUser: 'etl' },
    iamRole: 'arn:aws:iam::123456789012:role/Unload',
    table: 'public.sales',
  },
  destination: {
    target: { clusterIdentifier: 'dst', database: 'dev', dbUser: 'etl' },
    iamRole: 'arn:aws:iam::123456789012:role/Copy',
    table: 'public.sales_copy',
  },
  staging: 's3://stage/transfers/',
};

describe('Function: transferLoadInput', () => {
  let s3: TestS3;

  beforeAll(async () => {
    s3 = await startTestS3();
    await s3.client.send(new CreateBucketCommand({ Bucket: 'stage' }));
  });

  afterAll(async () => {
    await s3.stop();
  });

  async function withManifest(files: number) {
    const run = await planTransfer({
      input: { job: transfer, runId: `r${files}`, runDate: '2024-05-01' },
      now: 0,
    });
    const entries = Array.from({ length: files }, (_, i) => ({
      url: `${run.unloadStaging}${String(i).padStart(4, '0')}_part_00.parquet`,
      meta: { content_length: 10 },
    }));
    const key = `${run.unloadStaging.replace('s3://stage/', '')}manifest`;
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'stage', Key: key, Body: JSON.stringify({ entries }) }),
    );
    return { run, input: await transferLoadInput(s3.client, run) };
  }

  it('lists a few UNLOAD files in the load job', async () => {
    const { run, input } = await withManifest(2);
    expect(input.nothingToDo).toBe(false);
    expect(input.job.source).toEqual({
      objects: [`${run.unloadStaging}0000_part_00.parquet`, `${run.unloadStaging}0001_part_00.parquet`],
    });
  });

  it('names the UNLOAD prefix instead of many files (the job travels in the 256 KiB state)', async () => {
    const { run, input } = await withManifest(MAX_LISTED_UNLOAD_FILES + 1);
    expect(run.unloadStaging).toBe('s3://stage/transfers/copy-sales/r101/unload/');
    expect(input.job.source).toEqual({ prefix: run.unloadStaging, suffix: '.parquet' });
    expect(input.job.staging).toBe('s3://stage/transfers/');
  });
});
