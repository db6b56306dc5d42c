import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupLoad } from '../../../src/load/cleanupLoad.ts';
import { listKeys } from '../../helpers/s3Objects.ts';
import { startTestRedshift, type TestRedshift } from '../../helpers/testRedshift.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';

/** cleanupLoad removes exactly the run's staging and state folders: neighbours stay byte for byte. */

let s3: TestS3;
let redshift: TestRedshift;

beforeAll(async () => {
  s3 = await startTestS3();
  for (const Bucket of ['stage', 'state']) await s3.client.send(new CreateBucketCommand({ Bucket }));
  redshift = await startTestRedshift({ s3Endpoint: s3.endpoint });
});

afterAll(async () => {
  await redshift?.stop();
  await s3?.stop();
});

async function put(bucket: string, key: string, body: string) {
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function all(bucket: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await listKeys(s3.client, bucket, ''))
    out[key] = (await s3.getBytes(bucket, key)).toString();
  return out;
}

describe('cleanupLoad (local S3)', () => {
  it("removes the run's staging and state folders and nothing around them", async () => {
    const neighbours: Record<string, string> = {
      'user.csv': 'bucket root',
      'loads/user.csv': 'parent',
      'loads/job/user.csv': 'the job folder',
      'loads/job/run-10/chunks/p00000-c000.csv.gz': 'a run whose id starts like ours',
      'loads/job/run-2/chunks/p00000-c000.csv.gz': 'a sibling run',
      'loads/other/run-1/manifest.json': 'another job, same run id',
    };
    for (const [key, body] of Object.entries(neighbours)) await put('stage', key, body);
    for (const key of ['chunks/p00000-c000.csv.gz', 'summaries/p00000.json', 'copy.manifest'])
      await put('stage', `loads/job/run-1/${key}`, 'ours');
    await put('state', 'load-runs/job/run-1/parts.jsonl', 'ours');
    await put('state', 'load-runs/job/run-10/parts.jsonl', 'a sibling');

    const report = await cleanupLoad(
      { s3: s3.client, redshiftData: redshift.client },
      {
        stagingPrefix: 's3://stage/loads/job/run-1/',
        state: { bucket: 'state', prefix: 'load-runs/job/run-1/' },
      },
    );
    expect(report).toEqual({ cancelledStatement: false, removedStaging: 3, removedState: 1, problems: [] });
    expect(await all('stage')).toEqual(neighbours);
    expect(await all('state')).toEqual({ 'load-runs/job/run-10/parts.jsonl': 'a sibling' });
  });

  it('refuses a staging prefix that is not a folder below the bucket root', async () => {
    await put('stage', 'root-kept.csv', 'kept');
    const report = await cleanupLoad(
      { s3: s3.client, redshiftData: redshift.client },
      { stagingPrefix: 's3://stage/' },
    );
    expect(report.removedStaging).toBe(0);
    expect(await all('stage')).toMatchObject({ 'root-kept.csv': 'kept' });
  });
});
