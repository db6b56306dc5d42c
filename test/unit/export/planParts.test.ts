import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../../src/errors.ts';
import { planParts } from '../../../src/export/planParts.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';
import { createBuckets, finishedStatement, keys, planRun, put, stageUnload } from './fixtures.ts';

let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3();
  await createBuckets(s3.client);
});

afterAll(async () => {
  await s3?.stop();
});

const schema = [
  { name: 'id', type: 'integer' },
  { name: 'label', type: 'character varying' },
];

describe('planParts (local S3)', () => {
  it('lists the parts inline when there are at most inlineMaxParts', async () => {
    const run = await planRun('plan-inline');
    await stageUnload(s3.client, run, [[1, 2], [3], [4, 5, 6]]);
    const plan = await planParts(s3.client, { ...run, statement: finishedStatement(6) }, 'rt-state');
    const urls = [0, 1, 2].map((i) => `s3://rt-staging/plan-inline/plan-inline-run/000${i}_part_00.gz`);
    expect(plan).toEqual({
      mode: 'inline',
      count: 3,
      parts: [
        { index: 0, url: urls[0], contentLength: expect.any(Number), recordCount: 3 },
        { index: 1, url: urls[1], contentLength: expect.any(Number), recordCount: 2 },
        { index: 2, url: urls[2], contentLength: expect.any(Number), recordCount: 4 },
      ],
      resultsPrefix: 'runs/plan-inline/plan-inline-run/map-results',
      manifestUri: 's3://rt-staging/plan-inline/plan-inline-run/manifest',
      schema,
      totalRecords: 9,
    });
    expect(await keys(s3.client, 'rt-state')).toEqual([]);
  });

  it('writes a JSON items file to the state bucket for a Distributed Map above inlineMaxParts', async () => {
    const run = await planRun('plan-distributed', { process: { inlineMaxParts: 2 } });
    await stageUnload(s3.client, run, [[1], [2], [3]]);
    const plan = await planParts(s3.client, { ...run, statement: finishedStatement(3) }, 'rt-state');
    expect(plan).toEqual({
      mode: 'distributed',
      count: 3,
      itemsBucket: 'rt-state',
      itemsKey: 'runs/plan-distributed/plan-distributed-run/parts.json',
      resultsPrefix: 'runs/plan-distributed/plan-distributed-run/map-results',
      manifestUri: 's3://rt-staging/plan-distributed/plan-distributed-run/manifest',
      schema,
      totalRecords: 6,
    });
    const items = JSON.parse((await s3.getBytes('rt-state', plan.itemsKey ?? '')).toString());
    expect(items).toEqual(
      [0, 1, 2].map((index) => ({
        index,
        url: `s3://rt-staging/plan-distributed/plan-distributed-run/000${index}_part_00.gz`,
        contentLength: expect.any(Number),
        recordCount: 2,
      })),
    );
  });

  it('refuses a Distributed Map without a state bucket, saying what to set', async () => {
    const run = await planRun('plan-no-state', { process: { inlineMaxParts: 1 } });
    await stageUnload(s3.client, run, [[1], [2]]);
    await expect(
      planParts(s3.client, { ...run, statement: finishedStatement(2) }, undefined),
    ).rejects.toThrow(
      new ManifestError(
        '2 parts need a Distributed Map (more than process.inlineMaxParts = 1), which reads its items from the state bucket, but RT_STATE_BUCKET is not set. Set it (serverless.yml does).',
      ),
    );
  });

  it('plans zero parts when a zero-row UNLOAD wrote no manifest, and fails when rows were unloaded', async () => {
    const run = await planRun('plan-no-manifest');
    const empty = await planParts(s3.client, { ...run, statement: finishedStatement(0) }, 'rt-state');
    expect(empty).toMatchObject({ mode: 'inline', count: 0, parts: [], totalRecords: 0 });
    const lost = planParts(s3.client, { ...run, statement: finishedStatement(12) }, 'rt-state');
    await expect(lost).rejects.toBeInstanceOf(ManifestError);
    await expect(lost).rejects.toThrow(
      /UNLOAD manifest s3:\/\/rt-staging\/plan-no-manifest\/plan-no-manifest-run\/manifest does not exist although statement 11111111-2222-3333-4444-555555555555 finished with 12 rows/,
    );
  });

  it('rejects a manifest entry outside the staging prefix', async () => {
    const run = await planRun('plan-outside');
    await put(
      s3.client,
      'rt-staging',
      'plan-outside/plan-outside-run/manifest',
      JSON.stringify({ entries: [{ url: 's3://other/evil/0000_part_00', meta: { content_length: 3 } }] }),
    );
    await expect(
      planParts(s3.client, { ...run, statement: finishedStatement(1) }, 'rt-state'),
    ).rejects.toThrow(
      'UNLOAD manifest s3://rt-staging/plan-outside/plan-outside-run/manifest: entries[0].url s3://other/evil/0000_part_00 is outside the staging prefix s3://rt-staging/plan-outside/plan-outside-run/.',
    );
  });

  it('names the manifest when it is not valid JSON', async () => {
    const run = await planRun('plan-bad-json');
    await put(s3.client, 'rt-staging', 'plan-bad-json/plan-bad-json-run/manifest', '{"entries": [');
    await expect(
      planParts(s3.client, { ...run, statement: finishedStatement(1) }, 'rt-state'),
    ).rejects.toThrow(
      /^UNLOAD manifest s3:\/\/rt-staging\/plan-bad-json\/plan-bad-json-run\/manifest is not valid JSON/,
    );
  });
});
