import type { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DestinationNotEmptyError } from '../../../src/errors.ts';
import { cleanupExport } from '../../../src/export/cleanupExport.ts';
import type { ExportRun } from '../../../src/export/exportRun.ts';
import { finalizeExport } from '../../../src/export/finalizeExport.ts';
import { planExport } from '../../../src/export/planExport.ts';
import { planParts } from '../../../src/export/planParts.ts';
import { processPartBatch } from '../../../src/export/processParts.ts';
import { startTestRedshift, type TestRedshift } from '../../helpers/testRedshift.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';
import {
  createBuckets,
  exportJob,
  finishedStatement,
  keys,
  PLANNED_AT,
  put,
  stageUnload,
} from './fixtures.ts';

/**
 * Publication of an export into a destination that already holds output (src/export/publication.ts):
 * the default refuses, `replace` switches readers atomically and removes only the replaced run's
 * parts, `newRunFolder` writes beside it; a failure at any step leaves the last good output whole.
 */

let s3: TestS3;
let redshift: TestRedshift;
/** A PutObject whose key ends with this fails once (then the fault is cleared). */
let failPut: string | undefined;

beforeAll(async () => {
  s3 = await startTestS3();
  await createBuckets(s3.client);
  redshift = await startTestRedshift({ s3Endpoint: s3.endpoint });
  s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as PutObjectCommand['input']).Key ?? '';
      if (context.commandName === 'PutObjectCommand' && failPut !== undefined && key.endsWith(failPut)) {
        failPut = undefined;
        throw Object.assign(new Error('injected'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'publicationFaults' },
  );
});

beforeEach(() => {
  failPut = undefined;
});

afterAll(async () => {
  await redshift?.stop();
  await s3?.stop();
});

/** Every object under `prefix` in the exports bucket, with its bytes. */
async function snapshot(prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await keys(s3.client, 'rt-exports', prefix)) {
    out[key] = (await s3.getBytes('rt-exports', key)).toString('base64');
  }
  return out;
}

function plan(name: string, runId: string, overrides: Record<string, unknown> = {}): Promise<ExportRun> {
  return planExport({
    input: {
      job: exportJob(name, { destination: `s3://rt-exports/${name}/`, ...overrides }),
      runId,
      runDate: '2024-06-01',
    },
    now: PLANNED_AT,
    s3: s3.client,
  });
}

/** Plans (checking the destination), stages an UNLOAD, processes and finalizes run `runId`. */
async function exportRun(
  name: string,
  runId: string,
  partIds: number[][],
  overrides: Record<string, unknown> = {},
) {
  const run = await plan(name, runId, overrides);
  return { run, finish: () => finishRun(run, partIds) };
}

async function finishRun(run: ExportRun, partIds: number[][]) {
  await stageUnload(s3.client, run, partIds);
  const rows = partIds.flat().length;
  const parts = await planParts(s3.client, { ...run, statement: finishedStatement(rows) }, 'rt-state');
  const results = await processPartBatch(s3.client, { ...run, schema: parts.schema }, parts.parts ?? []);
  return finalizeExport(
    s3.client,
    { run, plan: parts, statement: finishedStatement(rows), processed: results.map((r) => ({ parts: [r] })) },
    { stateBucket: 'rt-state', now: PLANNED_AT + 1000 },
  );
}

async function manifestOf(name: string) {
  return JSON.parse((await s3.getBytes('rt-exports', `${name}/_manifest.json`)).toString()) as {
    runId: string;
    parts: { url: string }[];
  };
}

describe('publication of an export', () => {
  it('always stages under <staging><job>/<runId>/, even for a bucket-root staging prefix', async () => {
    const run = await plan('pub-root', 'r1', { staging: 's3://rt-staging/' });
    expect(run.staging).toBe('s3://rt-staging/pub-root/r1/');
    const templated = await plan('pub-templated', 'r1', { staging: 's3://rt-staging/x/{runId}/' });
    expect(templated.staging).toBe('s3://rt-staging/x/r1/');
    await put(s3.client, 'rt-staging', 'user-file.csv', 'a user object at the bucket root');
    const { run: failed } = await exportRun('pub-root2', 'r1', [[1]], { staging: 's3://rt-staging/' });
    await stageUnload(s3.client, failed, [[1]]);
    await cleanupExport({ s3: s3.client, redshiftData: redshift.client }, failed, {
      stateBucket: 'rt-state',
    });
    expect(await keys(s3.client, 'rt-staging', 'user-file.csv')).toEqual(['user-file.csv']);
    expect(await keys(s3.client, 'rt-staging', 'pub-root2/')).toEqual([]);
  });

  it('refuses, by default, a destination holding an earlier run: nothing is written, the output stays byte for byte', async () => {
    await (await exportRun('pub-fail', 'r1', [[1, 2], [3]])).finish();
    const before = await snapshot('pub-fail/');
    await expect(plan('pub-fail', 'r2')).rejects.toThrow(DestinationNotEmptyError);
    await expect(plan('pub-fail', 'r2')).rejects.toThrow(
      /^The destination s3:\/\/rt-exports\/pub-fail\/ holds the output of run r1; nothing was written\. .*"onExisting": "replace"/,
    );
    expect(await snapshot('pub-fail/')).toEqual(before);
  });

  it('refuses a destination with objects that no run wrote, and one holding another job', async () => {
    await put(s3.client, 'rt-exports', 'pub-user/data.csv', 'a user file');
    await expect(plan('pub-user', 'r1')).rejects.toThrow(
      'The destination s3://rt-exports/pub-user/ already holds objects (s3://rt-exports/pub-user/data.csv)',
    );
    await (await exportRun('pub-other', 'r1', [[1]])).finish();
    await expect(
      plan('pub-intruder', 'r2', { destination: 's3://rt-exports/pub-other/', onExisting: 'replace' }),
    ).rejects.toThrow('holds the output of job "pub-other" (run r1)');
  });

  it('replace: the new run is published, only the replaced parts are removed, foreign objects stay', async () => {
    await (await exportRun('pub-replace', 'r1', [[1, 2], [3]])).finish();
    const old = await manifestOf('pub-replace');
    const foreign = {
      'pub-replace/README.txt': 'a user file',
      'pub-replace/child/part-00000-r1.csv.gz': 'a nested export (same run id)',
      'pub-replace/child/_SUCCESS': '',
    };
    for (const [k, v] of Object.entries(foreign)) await put(s3.client, 'rt-exports', k, v);
    const before = await snapshot('pub-replace/child/');

    await (await exportRun('pub-replace', 'r2', [[4], [5], [6]], { onExisting: 'replace' })).finish();
    const now = await manifestOf('pub-replace');
    expect(now.runId).toBe('r2');
    expect(now.parts.map((p) => p.url)).toEqual(
      [0, 1, 2].map((i) => `s3://rt-exports/pub-replace/part-0000${i}-r2.csv.gz`),
    );
    expect(await keys(s3.client, 'rt-exports', 'pub-replace/')).toEqual(
      [
        'pub-replace/README.txt',
        'pub-replace/_SUCCESS',
        'pub-replace/_manifest.json',
        ...Object.keys(foreign).filter((k) => k.includes('child')),
        ...now.parts.map((p) => p.url.replace('s3://rt-exports/', '')),
      ].sort(),
    );
    expect(old.parts.every((p) => !p.url.includes('-r2.'))).toBe(true);
    expect(await snapshot('pub-replace/child/')).toEqual(before);
  });

  it('replace: a failure before the manifest switch keeps the previous output whole, _SUCCESS included', async () => {
    await (await exportRun('pub-crash', 'r1', [[1, 2], [3]])).finish();
    const before = await snapshot('pub-crash/');
    const { run } = await exportRun('pub-crash', 'r2', [[4], [5]], { onExisting: 'replace' });
    failPut = 'pub-crash/_manifest.json';
    await expect(finishRun(run, [[4], [5]])).rejects.toThrow('injected');
    // Mid-publication: r1's parts and manifest are intact, _SUCCESS is withheld while it switches.
    expect((await manifestOf('pub-crash')).runId).toBe('r1');
    await cleanupExport({ s3: s3.client, redshiftData: redshift.client }, run, { stateBucket: 'rt-state' });
    expect(await snapshot('pub-crash/')).toEqual(before);
  });

  it('replace: a failure after the switch is completed by the retry (no mix of two runs)', async () => {
    await (await exportRun('pub-retry', 'r1', [[1, 2], [3]])).finish();
    const { run } = await exportRun('pub-retry', 'r2', [[4]], { onExisting: 'replace' });
    failPut = 'pub-retry/_SUCCESS';
    await expect(finishRun(run, [[4]])).rejects.toThrow('injected');
    await finishRun(run, [[4]]);
    expect(await keys(s3.client, 'rt-exports', 'pub-retry/')).toEqual([
      'pub-retry/_SUCCESS',
      'pub-retry/_manifest.json',
      'pub-retry/part-00000-r2.csv.gz',
    ]);
  });

  it('newRunFolder: each run publishes into <destination><runId>/, earlier runs untouched', async () => {
    const first = await exportRun('pub-folders', 'r1', [[1]], { onExisting: 'newRunFolder' });
    await first.finish();
    const before = await snapshot('pub-folders/r1/');
    const second = await exportRun('pub-folders', 'r2', [[2]], { onExisting: 'newRunFolder' });
    expect(second.run.destination).toBe('s3://rt-exports/pub-folders/r2/');
    await second.finish();
    expect(await snapshot('pub-folders/r1/')).toEqual(before);
    expect((await manifestOf('pub-folders/r2')).runId).toBe('r2');
  });

  it('refuses to publish a run id that is already published (its keys would overwrite the parts)', async () => {
    await (await exportRun('pub-same', 'r1', [[1]])).finish();
    await expect(plan('pub-same', 'r1', { onExisting: 'replace' })).rejects.toThrow(
      'already holds the published output of run r1',
    );
  });
});
