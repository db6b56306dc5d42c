import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../local/sfn/loadDefinition.ts';
import { MAX_SKIPPED_LISTED } from '../../src/load/planLoad.ts';
import { LOAD_TEST_BUCKETS, useTestStateMachine } from '../helpers/testStateMachine.ts';

/**
 * A load of hundreds of objects on the local stack: above RT_LOAD_INLINE_MAX_PARTS (default
 * 100) the parts go through the Distributed Map, fed from a JSONL items file in the state bucket.
 */

const OBJECTS = 520;

const t = useTestStateMachine({ kind: 'load', buckets: LOAD_TEST_BUCKETS, slices: 4 });

async function putAll(entries: [string, string][]) {
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const [key, body] = entries[next++] as [string, string];
      await t.s3.client.send(new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: body }));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function count(bucket: string, prefix: string): Promise<number> {
  const out = await t.s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return out.KeyCount ?? 0;
}

function job(name: string, table: string) {
  return {
    kind: 'load',
    name,
    target: { clusterIdentifier: 'local', database: t.redshift.database, dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
    table,
    source: { prefix: `s3://rt-landing/${name}/` },
    staging: 's3://rt-staging/loads/',
    format: { type: 'csv', header: true },
  };
}

async function run(input: Record<string, unknown>) {
  return t.runner.start(t.sm, input as JsonObject).done;
}

describe('load state machine: many objects (local stack)', () => {
  it(`loads ${OBJECTS} objects through the Distributed Map, then skips them all on a rerun`, async () => {
    await t.db.query('create table clicks (id int not null, page varchar(10))');
    await putAll(
      Array.from({ length: OBJECTS }, (_, i) => [
        `clicks/${String(i).padStart(4, '0')}.csv`,
        `id,page\n${2 * i},p${i}\n${2 * i + 1},q${i}\n`,
      ]),
    );
    const result = await run({ job: job('clicks', 'clicks'), runId: 'many-1' });
    expect(result.error, result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    const types = result.history.map((e) => e.type);
    expect(types).toContain('MapRunStarted');
    expect(types).toContain('MapRunSucceeded');
    // The parent's history holds no per-item events: far below 25,000 whatever the item count.
    expect(result.history.length).toBeLessThan(100);
    expect((result.output as { result: unknown }).result).toMatchObject({
      objects: OBJECTS,
      records: 2 * OBJECTS,
      merged: 2 * OBJECTS,
    });
    const got = await t.db.query(
      'select count(*)::int as n, count(distinct id)::int as d, sum(id)::int as s from clicks',
    );
    expect(got.rows[0]).toEqual({ n: 2 * OBJECTS, d: 2 * OBJECTS, s: (2 * OBJECTS * (2 * OBJECTS - 1)) / 2 });
    // Items file, Map results and staging are gone.
    expect(await count('rt-state', 'load-runs/clicks/')).toBe(0);
    expect(await count('rt-staging', 'loads/clicks/')).toBe(0);

    const again = await run({ job: job('clicks', 'clicks'), runId: 'many-2' });
    expect(again.status).toBe('SUCCEEDED');
    const output = again.output as {
      result: { nothingToDo: boolean; skipped: unknown[]; skippedCount: number };
    };
    expect(output.result.nothingToDo).toBe(true);
    expect(output.result.skippedCount).toBe(OBJECTS);
    expect(output.result.skipped).toHaveLength(MAX_SKIPPED_LISTED);
    // Two full runs of 520 objects each: ~45 s alone on 2 cores, more while the suite's other
    // files share them; a limit, not a timing assertion (bench/ measures).
  }, 180_000);

  it('fails a distributed run with the named error of the part that failed, and loads nothing', async () => {
    await t.db.query('create table views (id int not null, page varchar(10))');
    const entries: [string, string][] = Array.from({ length: 120 }, (_, i) => [
      `views/${String(i).padStart(4, '0')}.csv`,
      `id,page\n${i},p${i}\n`,
    ]);
    entries[77] = ['views/0077.csv', 'id,page\n77,p77\n78,much-too-long\n'];
    await putAll(entries);
    const result = await run({ job: job('views', 'views'), runId: 'views-1' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('BadRecordError');
    expect(result.cause).toBe(
      'Bad record in s3://rt-landing/views/0077.csv line 3, column "page": "much-too-long" is 13 bytes, longer than character varying(10). Nothing was loaded. Fix the file and load it again (or set maxErrors to skip bad rows).',
    );
    expect((await t.db.query('select count(*)::int as n from views')).rows[0]).toEqual({ n: 0 });
    expect(await count('rt-staging', 'loads/views/')).toBe(0);
    expect(await count('rt-state', 'load-runs/views/')).toBe(0);
  });
});
