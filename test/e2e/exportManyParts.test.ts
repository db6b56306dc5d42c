import { existsSync } from 'node:fs';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * A run with thousands of tiny parts through the Distributed Map: the UNLOAD is partitioned into
 * 2,000 Hive folders with PARALLEL OFF (one file each), the parts are read from the items file
 * in the state bucket in batches of 100, and every part's output and the reconciled count are
 * checked. The parent execution never carries the part list. Most of the time goes to the local
 * S3 server (its per-request cost on disk), not to our code.
 */

const PARTITIONS = 2000;
const ROWS = 2 * PARTITIONS;
let t: TestStack;

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const all: string[] = [];
  let token: string | undefined;
  do {
    const out = await t.clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of out.Contents ?? []) all.push(o.Key ?? '');
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token !== undefined);
  return all.sort();
}

async function text(bucket: string, key: string): Promise<string> {
  const out = await t.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

beforeAll(async () => {
  // The stack's S3 keeps one file per object: in memory (tmpfs) it is 2-3x faster than on disk.
  if (existsSync('/dev/shm')) vi.stubEnv('TMPDIR', '/dev/shm');
  t = await startTestStack();
  vi.unstubAllEnvs();
  const db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query('create table events (id int primary key, label varchar(20))');
  await db.query(`insert into events select i, 'e' || i from generate_series(1, ${ROWS}) i`);
  await db.end();
});

afterAll(async () => {
  await t?.stop();
});

describe('export with thousands of parts (Distributed Map)', () => {
  it(`processes ${PARTITIONS} parts in batches and reconciles ${ROWS} rows`, async () => {
    const name = 'many-parts';
    const result = await t.run('export', {
      job: {
        kind: 'export',
        name,
        target: { clusterIdentifier: 'local', database: t.database, dbUser: 'awsuser' },
        iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
        query: `select id, label, id % ${PARTITIONS} as k from events`,
        unload: { format: 'csv', partitionBy: ['k'], parallel: false },
        staging: `s3://rt-staging/${name}/{runId}/`,
        destination: `s3://rt-exports/${name}/{runDate}/`,
      },
      runDate: '2024-05-01',
    });
    expect(result.error, result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    const prefix = `${name}/2024-05-01/`;
    expect(JSON.parse(result.output ?? '{}').result).toMatchObject({ rows: ROWS, parts: PARTITIONS });

    // The Distributed Map ran (one map run), and the parent history stayed small.
    const entered = result.history
      .filter((e) => e.type?.endsWith('StateEntered'))
      .map((e) => e.stateEnteredEventDetails?.name);
    expect(entered).toContain('ProcessPartsDistributed');
    expect(entered).not.toContain('ProcessPartsInline');
    expect(result.history.filter((e) => e.type === 'MapRunStarted')).toHaveLength(1);
    expect(result.history.length).toBeLessThan(200);

    const manifest = JSON.parse(await text('rt-exports', `${prefix}_manifest.json`));
    expect(manifest.rows).toBe(ROWS);
    expect(manifest.parts).toHaveLength(PARTITIONS);
    const written = await keys('rt-exports', prefix);
    const parts = written.filter((k) => /part-\d{5}-[\w-]+\.csv$/.test(k));
    expect(parts).toHaveLength(PARTITIONS);
    expect(written).toHaveLength(PARTITIONS + 2);
    expect(new Set(manifest.parts.map((p: { url: string }) => p.url))).toEqual(
      new Set(parts.map((k) => `s3://rt-exports/${k}`)),
    );

    // Every part: in its partition's folder, holding exactly that partition's two rows.
    const seen: number[] = [];
    const check = async (key: string) => {
      const k = Number(/\/k=(\d+)\/part-\d{5}-[\w-]+\.csv$/.exec(key)?.[1]);
      const ids = (await text('rt-exports', key))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [id, label, ...rest] = l.split(',');
          expect(rest).toEqual([]);
          expect(label).toBe(`e${id}`);
          return Number(id);
        });
      expect(ids.sort((a, b) => a - b)).toEqual([k === 0 ? PARTITIONS : k, k === 0 ? ROWS : k + PARTITIONS]);
      seen.push(...ids);
    };
    for (let i = 0; i < parts.length; i += 50) await Promise.all(parts.slice(i, i + 50).map(check));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));

    expect(await keys('rt-staging', `${name}/`)).toEqual([]);
    expect(await keys('rt-state', `runs/${name}/`)).toEqual([]);
  }, 120_000);
});
