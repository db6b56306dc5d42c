import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRecordError, ManifestError } from '../../../src/errors.ts';
import { loadJobSchema } from '../../../src/job/loadJob.ts';
import type { LoadContext, PartSummary } from '../../../src/load/loadRun.ts';
import { copyManifest, writeCopyManifest } from '../../../src/load/writeCopyManifest.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';

const job = (maxErrors = 0) =>
  loadJobSchema.parse({
    kind: 'load',
    name: 'sales',
    target: { workgroupName: 'wg', database: 'dev' },
    iamRole: 'arn:aws:iam::123456789012:role/Copy',
    table: 'sales',
    source: { prefix: 's3://landing/in/' },
    staging: 's3://stage/loads/',
    maxErrors,
  });

const context = (runId: string, partCount: number): LoadContext => ({
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
  slices: 2,
  partCount,
});

const summary = (runId: string, index: number, records: number, rejected = 0): PartSummary => ({
  index,
  bucket: 'landing',
  key: `in/${index}.csv`,
  objectVersion: `etag:e${index}`,
  records,
  rejected,
  rejectedSamples: rejected > 0 ? [{ line: 2, column: 'id', reason: '"x" is not an integer (integer)' }] : [],
  files: [
    { url: `s3://stage/loads/sales/${runId}/chunks/p0000${index}-c000.csv.gz`, bytes: 100 + index, records },
    { url: `s3://stage/loads/sales/${runId}/chunks/p0000${index}-c001.csv.gz`, bytes: 20, records: 0 },
  ],
});

describe('Function: copyManifest', () => {
  it('lists every file as mandatory with its content_length, in part order', () => {
    expect(copyManifest([summary('r', 0, 3)])).toEqual({
      entries: [
        {
          url: 's3://stage/loads/sales/r/chunks/p00000-c000.csv.gz',
          mandatory: true,
          meta: { content_length: 100 },
        },
        {
          url: 's3://stage/loads/sales/r/chunks/p00000-c001.csv.gz',
          mandatory: true,
          meta: { content_length: 20 },
        },
      ],
    });
  });
});

describe('Function: writeCopyManifest', () => {
  let s3: TestS3;

  beforeAll(async () => {
    s3 = await startTestS3();
    await s3.client.send(new CreateBucketCommand({ Bucket: 'stage' }));
  });

  afterAll(async () => {
    await s3.stop();
  });

  async function putSummary(s: PartSummary, runId: string) {
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'stage',
        Key: `loads/sales/${runId}/parts/p0000${s.index}.json`,
        Body: JSON.stringify(s),
      }),
    );
  }

  async function text(key: string) {
    const out = await s3.client.send(new GetObjectCommand({ Bucket: 'stage', Key: key }));
    return out.Body?.transformToString('utf8');
  }

  it('writes the COPY manifest and the objects file from the part summaries', async () => {
    await putSummary(summary('r1', 1, 4, 1), 'r1');
    await putSummary(summary('r1', 0, 3), 'r1');
    const prepared = await writeCopyManifest(s3.client, job(1), context('r1', 2));
    expect(prepared).toMatchObject({
      manifestUri: 's3://stage/loads/sales/r1/copy.manifest',
      objectsUri: 's3://stage/loads/sales/r1/objects.csv',
      records: 7,
      rejected: 1,
      files: 4,
      bytes: 241,
      objects: 2,
    });
    expect(prepared.loadId).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.parse((await text('loads/sales/r1/copy.manifest')) ?? '')).toEqual(
      copyManifest([summary('r1', 0, 3), summary('r1', 1, 4, 1)]),
    );
    expect(await text('loads/sales/r1/objects.csv')).toBe(
      '"landing","in/0.csv","etag:e0",3\n"landing","in/1.csv","etag:e1",4\n',
    );
  });

  it('fails when a part is missing, and when the bad rows exceed maxErrors', async () => {
    await putSummary(summary('r2', 0, 3), 'r2');
    await expect(writeCopyManifest(s3.client, job(), context('r2', 2))).rejects.toThrow(
      new ManifestError(
        'Expected 2 prepared parts under s3://stage/loads/sales/r2/parts/ but found 1 (missing 1). Run the load again.',
      ),
    );
    await putSummary(summary('r3', 0, 3, 2), 'r3');
    await expect(writeCopyManifest(s3.client, job(1), context('r3', 1))).rejects.toThrow(BadRecordError);
  });
});
