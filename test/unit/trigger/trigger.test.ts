import { describe, expect, it } from 'vitest';
import { JobValidationError } from '../../../src/errors.ts';
import { type LoadJob, loadJobSchema } from '../../../src/job/loadJob.ts';
import { executionName } from '../../../src/trigger/executionName.ts';
import { matchJobs } from '../../../src/trigger/matchJobs.ts';
import { type CreatedObject, createdObjects } from '../../../src/trigger/s3Events.ts';
import { executionInput } from '../../../src/trigger/triggerLoads.ts';

const eventBridge = {
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '123456789012',
  time: '2024-05-01T18:43:48Z',
  region: 'us-east-1',
  resources: ['arn:aws:s3:::landing'],
  detail: {
    version: '0',
    bucket: { name: 'landing' },
    object: {
      key: 'sales/2024/05/01 day.csv.gz',
      size: 184662,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
      sequencer: '006408CAD69598B05E',
    },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '123456789012',
    reason: 'PutObject',
  },
};

const notification = {
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventTime: '2024-05-01T18:43:48.123Z',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: 'landing', arn: 'arn:aws:s3:::landing' },
        object: {
          key: 'sales/2024/05/01+day%2Bnight.csv.gz',
          size: 10,
          eTag: 'abc',
          sequencer: '0055AED6DCD90281E5',
        },
      },
    },
    {
      eventSource: 'aws:s3',
      eventName: 'ObjectRemoved:Delete',
      s3: { bucket: { name: 'landing' }, object: { key: 'gone.csv' } },
    },
  ],
};

function job(name: string, trigger: Record<string, unknown>): LoadJob {
  return loadJobSchema.parse({
    kind: 'load',
    name,
    target: { workgroupName: 'wg', database: 'dev' },
    iamRole: 'arn:aws:iam::123456789012:role/Copy',
    table: 'public.sales',
    trigger,
    staging: 's3://stage/loads/',
  });
}

describe('Function: createdObjects', () => {
  it('reads an EventBridge Object Created event (key as is)', () => {
    expect(createdObjects(eventBridge)).toEqual([
      {
        bucket: 'landing',
        key: 'sales/2024/05/01 day.csv.gz',
        size: 184662,
        etag: 'b1946ac92492d2347c6235b4d2611184',
        versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
        sequencer: '006408CAD69598B05E',
        time: '2024-05-01T18:43:48Z',
      },
    ]);
  });

  it('reads notification records, URL-decoding keys and ignoring other event names', () => {
    expect(createdObjects(notification)).toEqual([
      {
        bucket: 'landing',
        key: 'sales/2024/05/01 day+night.csv.gz',
        size: 10,
        etag: 'abc',
        versionId: undefined,
        sequencer: '0055AED6DCD90281E5',
        time: '2024-05-01T18:43:48.123Z',
      },
    ]);
  });

  it('rejects anything else with the problems listed', () => {
    expect(() => createdObjects({ hello: 'world' })).toThrow(JobValidationError);
    expect(() => createdObjects({ 'detail-type': 'Object Deleted', source: 'aws.s3', detail: {} })).toThrow(
      /Not an S3 "Object Created" EventBridge event:\n {2}- detail-type: /,
    );
  });
});

describe('Function: matchJobs', () => {
  const jobs = [
    job('all-landing', { bucket: 'landing' }),
    job('sales-gz', { bucket: 'landing', prefix: 'sales/', suffix: '.csv.gz' }),
    job('other', { bucket: 'other' }),
    job('returns', { bucket: 'landing', prefix: 'returns/' }),
  ];
  it('matches bucket, prefix and suffix', () => {
    const [object] = createdObjects(eventBridge);
    expect(matchJobs(object as never, jobs).map((j) => j.name)).toEqual(['all-landing', 'sales-gz']);
    expect(matchJobs({ bucket: 'landing', key: 'sales/x.csv' }, jobs).map((j) => j.name)).toEqual([
      'all-landing',
    ]);
    expect(matchJobs({ bucket: 'landing', key: 'sales/' }, jobs)).toEqual([]);
  });
});

describe('Function: executionName', () => {
  it('is the same for every delivery of one event and valid for Step Functions', () => {
    const object = createdObjects(eventBridge)[0] as CreatedObject;
    const name = executionName('sales-gz', object);
    expect(name).toBe(executionName('sales-gz', { ...object, size: 1 }));
    expect(name).toMatch(/^sales-gz-[0-9a-f]{32}$/);
    expect(name.length).toBeLessThanOrEqual(80);
  });

  it('differs by job, key and version (or sequencer, or ETag)', () => {
    const base = { bucket: 'b', key: 'k' };
    const names = new Set([
      executionName('j', { ...base, versionId: 'v1' }),
      executionName('j', { ...base, versionId: 'v2' }),
      executionName('j', { ...base, sequencer: 'v1' }),
      executionName('j', { ...base, etag: 'e1' }),
      executionName('j', { ...base, key: 'k2', versionId: 'v1' }),
      executionName('j2', { ...base, versionId: 'v1' }),
    ]);
    expect(names.size).toBe(6);
    expect(executionName('a'.repeat(63), base).length).toBe(73);
  });
});

describe('Function: executionInput', () => {
  it('loads exactly the event object with the job, on the event date', () => {
    const [object] = createdObjects(eventBridge);
    const input = executionInput(job('sales-gz', { bucket: 'landing' }), object as never, 'sales-gz-x');
    expect(input.job.source).toEqual({
      objects: [
        {
          uri: 's3://landing/sales/2024/05/01 day.csv.gz',
          versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
          etag: 'b1946ac92492d2347c6235b4d2611184',
        },
      ],
    });
    expect(input).toMatchObject({ runId: 'sales-gz-x', runDate: '2024-05-01' });
    expect(loadJobSchema.safeParse(input.job).success).toBe(true);
  });
});
