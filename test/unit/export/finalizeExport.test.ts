import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, RowCountMismatchError } from '../../../src/errors.ts';
import type { ExportRun, PartPlan, PartResult } from '../../../src/export/exportRun.ts';
import { finalizeExport } from '../../../src/export/finalizeExport.ts';
import { planParts } from '../../../src/export/planParts.ts';
import { processPartBatch } from '../../../src/export/processParts.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';
import { createBuckets, finishedStatement, keys, PLANNED_AT, planRun, put, stageUnload } from './fixtures.ts';

let s3: TestS3;
const FINISHED_AT = PLANNED_AT + 60_000;

beforeAll(async () => {
  s3 = await startTestS3();
  await createBuckets(s3.client);
});

afterAll(async () => {
  await s3?.stop();
});

/** Stages an UNLOAD, plans and processes its parts: what finalize receives in a real run. */
async function processedRun(name: string, partIds: number[][], overrides: Record<string, unknown> = {}) {
  const run = await planRun(name, overrides);
  await stageUnload(s3.client, run, partIds);
  const rows = partIds.flat().length;
  const plan = await planParts(s3.client, { ...run, statement: finishedStatement(rows) }, 'rt-state');
  const results = await processPartBatch(s3.client, { ...run, schema: plan.schema }, plan.parts ?? []);
  return { run, plan, results, rows };
}

function finalize(run: ExportRun, plan: PartPlan, results: PartResult[], resultRows: number | null) {
  return finalizeExport(
    s3.client,
    { run, plan, statement: finishedStatement(resultRows), processed: results.map((r) => ({ parts: [r] })) },
    { stateBucket: 'rt-state', now: FINISHED_AT },
  );
}

describe('finalizeExport (local S3)', () => {
  it('writes _manifest.json (every part with rows, bytes, SHA-256) and _SUCCESS, then empties staging', async () => {
    const { run, plan, results } = await processedRun('fin-ok', [[1, 2, 3], [4, 5], [6]]);
    await put(s3.client, 'rt-state', 'runs/fin-ok/fin-ok-run/parts.json', '[]');
    const summary = await finalize(run, plan, results, 6);

    const dest = 'fin-ok/2024-06-01/';
    const partKeys = [0, 1, 2].map((i) => `${dest}part-0000${i}-fin-ok-run.csv.gz`);
    expect(await keys(s3.client, 'rt-exports', 'fin-ok/')).toEqual([
      `${dest}_SUCCESS`,
      `${dest}_manifest.json`,
      ...partKeys,
    ]);
    const partBytes = await Promise.all(partKeys.map((k) => s3.getBytes('rt-exports', k)));
    const total = partBytes.reduce((n, b) => n + b.length, 0);
    expect(summary).toEqual({
      manifestUri: `s3://rt-exports/${dest}_manifest.json`,
      destination: `s3://rt-exports/${dest}`,
      rows: 6,
      parts: 3,
      bytes: total,
      lambdaBytes: results.reduce((n, r) => n + (r.lambdaBytes ?? 0), 0),
    });
    const manifest = JSON.parse((await s3.getBytes('rt-exports', `${dest}_manifest.json`)).toString());
    expect(manifest).toEqual({
      version: 1,
      job: 'fin-ok',
      runId: 'fin-ok-run',
      runDate: '2024-06-01',
      destination: `s3://rt-exports/${dest}`,
      format: 'csv',
      compression: 'gzip',
      rows: 6,
      bytes: total,
      schema: [
        { name: 'id', type: 'integer' },
        { name: 'label', type: 'character varying' },
      ],
      parts: partKeys.map((k, i) => ({
        url: `s3://rt-exports/${k}`,
        rows: [3, 2, 1][i],
        bytes: partBytes[i]?.length,
        sha256: createHash('sha256')
          .update(partBytes[i] ?? '')
          .digest('hex'),
        checksum: {
          algorithm: 'SHA256',
          value: createHash('sha256')
            .update(partBytes[i] ?? '')
            .digest('base64'),
          type: 'FULL_OBJECT',
        },
        verified: 'manifest',
      })),
      lambdaBytes: results.reduce((n, r) => n + (r.lambdaBytes ?? 0), 0),
      statementId: '11111111-2222-3333-4444-555555555555',
      timings: {
        plannedAt: '2024-06-01T02:00:00.000Z',
        unloadStartedAt: '2024-06-01T02:00:01.000Z',
        finishedAt: '2024-06-01T02:01:00.000Z',
      },
    });
    expect((await s3.getBytes('rt-exports', `${dest}_SUCCESS`)).length).toBe(0);
    expect(await keys(s3.client, 'rt-staging', 'fin-ok/')).toEqual([]);
    expect(await keys(s3.client, 'rt-state', 'runs/fin-ok/')).toEqual([]);
  });

  it("rebuilds each part's source, output URL and input size from the plan when the inline Map returns digests", async () => {
    const { run, plan, results } = await processedRun('fin-digest', [[1, 2], [3], [4, 5, 6]], {
      keepStaging: true,
    });
    const processed = results.map((r) => ({
      i: r.index,
      records: r.records,
      rows: r.rows,
      bytesOut: r.bytesOut,
      verified: r.verified,
      checksum: r.checksum,
      lambdaBytes: r.lambdaBytes,
    }));
    const fromDigests = await finalizeExport(
      s3.client,
      { run, plan, statement: finishedStatement(6), processed },
      { stateBucket: 'rt-state', now: FINISHED_AT },
    );
    const manifestKey = 'fin-digest/2024-06-01/_manifest.json';
    const manifest = await s3.getBytes('rt-exports', manifestKey);
    // The same run finalized from the full results writes the same manifest.
    expect(await finalize(run, plan, results, 6)).toEqual(fromDigests);
    expect(await s3.getBytes('rt-exports', manifestKey)).toEqual(manifest);

    const unknown = [...processed, { ...processed[0], i: 7 }];
    await expect(
      finalizeExport(
        s3.client,
        { run, plan, statement: finishedStatement(6), processed: unknown as typeof processed },
        { stateBucket: 'rt-state', now: FINISHED_AT },
      ),
    ).rejects.toThrow(
      new ManifestError(
        'The Map reported part 7, which is not in the plan of s3://rt-staging/fin-digest/fin-digest-run/manifest (3 parts, mode inline); results are inconsistent. Run the export again.',
      ),
    );
  });

  it('is idempotent: finalizing again gives the same objects', async () => {
    const { run, plan, results } = await processedRun('fin-again', [[1, 2], [3]], { keepStaging: true });
    await finalize(run, plan, results, 3);
    const first = await keys(s3.client, 'rt-exports', 'fin-again/');
    const manifest = await s3.getBytes('rt-exports', 'fin-again/2024-06-01/_manifest.json');
    await finalize(run, plan, results, 3);
    expect(await keys(s3.client, 'rt-exports', 'fin-again/')).toEqual(first);
    expect(await s3.getBytes('rt-exports', 'fin-again/2024-06-01/_manifest.json')).toEqual(manifest);
    // keepStaging: the UNLOAD's files stay for inspection.
    expect(await keys(s3.client, 'rt-staging', 'fin-again/')).toHaveLength(3);
  });

  it('throws RowCountMismatchError when the parts do not add up to ResultRows, publishing nothing', async () => {
    const { run, plan, results } = await processedRun('fin-mismatch', [[1, 2], [3]]);
    const finalizing = finalize(run, plan, results, 4);
    await expect(finalizing).rejects.toBeInstanceOf(RowCountMismatchError);
    await expect(finalizing).rejects.toThrow(
      'UNLOAD reported 4 rows but the 2 processed parts hold 3. Nothing was published (no _SUCCESS); run the export again.',
    );
    const left = await keys(s3.client, 'rt-exports', 'fin-mismatch/');
    expect(left.filter((k) => k.endsWith('_SUCCESS') || k.endsWith('_manifest.json'))).toEqual([]);
    expect(await keys(s3.client, 'rt-staging', 'fin-mismatch/')).toHaveLength(3);
  });

  it('reconciles against the manifest record counts (header lines excluded) when Redshift reports no rows', async () => {
    const { run, plan, results } = await processedRun('fin-manifest-count', [[1, 2], [3]]);
    expect(plan.totalRecords).toBe(5); // 3 rows + 2 header lines
    await expect(finalize(run, plan, results, null)).resolves.toMatchObject({ rows: 3, parts: 2 });
    const wrong = { ...plan, totalRecords: 6 };
    await expect(finalize(run, wrong, results, null)).rejects.toThrow(
      'the UNLOAD manifest counts 4 rows but the 2 processed parts hold 3. Nothing was published (no _SUCCESS); run the export again.',
    );
  });

  it('refuses results that miss a part or report one twice', async () => {
    const { run, plan, results } = await processedRun('fin-missing', [[1], [2], [3]]);
    await expect(finalize(run, plan, results.slice(0, 2), 3)).rejects.toThrow(
      new ManifestError(
        's3://rt-staging/fin-missing/fin-missing-run/manifest lists 3 parts but 2 were processed (missing: 2). Run the export again.',
      ),
    );
    await expect(finalize(run, plan, [...results, results[0] as PartResult], 3)).rejects.toThrow(
      /^Part 0 \(s3:\/\/rt-staging\/fin-missing\/fin-missing-run\/0000_part_00\.gz\) was reported twice/,
    );
  });

  it("removes this run's stale parts (an earlier attempt with more parts), and nothing it does not own", async () => {
    const dest = 'fin-stale/2024-06-01/';
    const notOurs: Record<string, string> = {
      [`${dest}README.txt`]: 'kept',
      [`${dest}part-00007.csv.gz`]: 'kept: no run id, not written by this run',
      [`${dest}part-00003-other-run.csv.gz`]: 'kept: another run',
      [`${dest}child/part-00003-fin-stale-run.csv.gz`]: 'kept: a nested folder',
    };
    for (const [key, body] of Object.entries(notOurs)) await put(s3.client, 'rt-exports', key, body);
    for (const key of [
      'part-00000-fin-stale-run.csv.gz',
      'part-00007-fin-stale-run.csv.gz',
      'col=1/part-00003-fin-stale-run.csv.gz',
    ])
      await put(s3.client, 'rt-exports', `${dest}${key}`, 'old');
    const { run, plan, results } = await processedRun('fin-stale', [[1], [2]]);
    await finalize(run, plan, results, 2);
    expect(await keys(s3.client, 'rt-exports', dest)).toEqual(
      [
        ...Object.keys(notOurs),
        `${dest}_SUCCESS`,
        `${dest}_manifest.json`,
        `${dest}part-00000-fin-stale-run.csv.gz`,
        `${dest}part-00001-fin-stale-run.csv.gz`,
      ].sort(),
    );
    for (const [key, body] of Object.entries(notOurs)) {
      expect((await s3.getBytes('rt-exports', key)).toString()).toBe(body);
    }
    expect((await s3.getBytes('rt-exports', `${dest}part-00000-fin-stale-run.csv.gz`)).toString()).not.toBe(
      'old',
    );
  });

  it('does not publish parts without rows (header-only files); zero rows give a manifest with no parts', async () => {
    const some = await processedRun('fin-empty-parts', [[1, 2], [], [3]]);
    const summary = await finalize(some.run, some.plan, some.results, 3);
    expect(summary).toMatchObject({ rows: 3, parts: 2 });
    expect(await keys(s3.client, 'rt-exports', 'fin-empty-parts/')).toEqual([
      'fin-empty-parts/2024-06-01/_SUCCESS',
      'fin-empty-parts/2024-06-01/_manifest.json',
      'fin-empty-parts/2024-06-01/part-00000-fin-empty-parts-run.csv.gz',
      'fin-empty-parts/2024-06-01/part-00002-fin-empty-parts-run.csv.gz',
    ]);

    const none = await processedRun('fin-zero', [[], []]);
    expect(await finalize(none.run, none.plan, none.results, 0)).toEqual({
      manifestUri: 's3://rt-exports/fin-zero/2024-06-01/_manifest.json',
      destination: 's3://rt-exports/fin-zero/2024-06-01/',
      rows: 0,
      parts: 0,
      bytes: 0,
      lambdaBytes: 0,
    });
    const manifest = JSON.parse(
      (await s3.getBytes('rt-exports', 'fin-zero/2024-06-01/_manifest.json')).toString(),
    );
    expect(manifest).toMatchObject({ rows: 0, bytes: 0, parts: [] });
    expect(await keys(s3.client, 'rt-exports', 'fin-zero/')).toEqual([
      'fin-zero/2024-06-01/_SUCCESS',
      'fin-zero/2024-06-01/_manifest.json',
    ]);
  });

  it("reads a Distributed Map's results from its ResultWriter files", async () => {
    const { run, plan, results } = await processedRun('fin-distributed', [[1, 2], [3], [4]]);
    const prefix = 'runs/fin-distributed/fin-distributed-run/map-results/map-run-1/';
    const child = (parts: PartResult[]) => ({ Status: 'SUCCEEDED', Output: JSON.stringify({ parts }) });
    await put(
      s3.client,
      'rt-state',
      `${prefix}SUCCEEDED_0.json`,
      JSON.stringify([child(results.slice(0, 2))]),
    );
    await put(s3.client, 'rt-state', `${prefix}SUCCEEDED_1.json`, JSON.stringify([child(results.slice(2))]));
    await put(
      s3.client,
      'rt-state',
      `${prefix}manifest.json`,
      JSON.stringify({
        DestinationBucket: 'rt-state',
        ResultFiles: {
          SUCCEEDED: [{ Key: `${prefix}SUCCEEDED_0.json` }, { Key: `${prefix}SUCCEEDED_1.json` }],
          FAILED: [],
        },
      }),
    );
    const summary = await finalizeExport(
      s3.client,
      {
        run,
        plan,
        statement: finishedStatement(4),
        processed: { ResultWriterDetails: { Bucket: 'rt-state', Key: `${prefix}manifest.json` } },
      },
      { stateBucket: 'rt-state', now: FINISHED_AT },
    );
    expect(summary).toMatchObject({ rows: 4, parts: 3 });
    expect(await keys(s3.client, 'rt-state', 'runs/fin-distributed/')).toEqual([]);
  });
});
