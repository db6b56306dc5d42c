import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntime } from '../../functions/_shared/runtime.ts';
import { exportJobDocument } from '../helpers/exportJobDocument.ts';
import { getObjectBytes, listKeys } from '../helpers/s3Objects.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * Issue 15 on the whole local stack (Step Functions API, Data API emulator, S3): every case of
 * "Why" and of items 1, 2 and 4, asserting the objects (byte for byte) and rows that exist after
 * the run. Then a seeded property test: random jobs over a small alphabet of prefixes, failing at
 * random steps, never change an object they did not create.
 */

let t: TestStack;
let db: pg.Client;
const BUCKETS = ['rt-staging', 'rt-exports', 'rt-landing'];

/** Every object of the test buckets under `prefix` (all when empty), with its bytes (base64). */
async function snapshot(prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const bucket of BUCKETS) {
    for (const key of await listKeys(t.clients.s3, bucket, prefix)) {
      out[`${bucket}/${key}`] = (await getObjectBytes(t.clients.s3, bucket, key)).toString('base64');
    }
  }
  return out;
}

async function put(bucket: string, key: string, body: string | Buffer): Promise<void> {
  await t.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

function exportJob(name: string, overrides: Record<string, unknown> = {}) {
  return exportJobDocument(name, t.database, 'select id, label from items', overrides);
}

function loadJob(name: string, overrides: Record<string, unknown> = {}) {
  return {
    kind: 'load',
    name,
    target: { clusterIdentifier: 'local', database: t.database, dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
    table: 'loaded',
    source: { prefix: `s3://rt-landing/${name}/` },
    staging: 's3://rt-staging/loads/',
    format: { type: 'csv', header: true },
    ...overrides,
  };
}

async function count(table: string): Promise<number> {
  return Number((await db.query(`select count(*) as n from ${table}`)).rows[0]?.n);
}

beforeAll(async () => {
  t = await startTestStack();
  db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query('create table items (id int primary key, label varchar(50))');
  await db.query(`insert into items select i, 'item ' || i from generate_series(1, 40) i`);
  await db.query('create table loaded (id int, label varchar(50))');
});

afterAll(async () => {
  await db?.end();
  await t?.stop();
});

describe('ownership (local stack)', () => {
  it('a bucket-root staging prefix is run-scoped: the run succeeds and every user object stays', async () => {
    await put('rt-staging', 'user/data.csv', 'a user file in the staging bucket');
    await put('rt-staging', 'top-level.txt', 'at the bucket root');
    const before = await snapshot('user/');
    const result = await t.run('export', {
      job: exportJob('root-staging', { staging: 's3://rt-staging/' }),
      runId: 'r1',
    });
    expect(result.error, result.cause).toBeUndefined();
    expect(await snapshot('user/')).toEqual(before);
    expect(await listKeys(t.clients.s3, 'rt-staging', 'top-level.txt')).toEqual(['top-level.txt']);
    expect(await listKeys(t.clients.s3, 'rt-staging', 'root-staging/')).toEqual([]);
  });

  it('a staging prefix overlapping the destination is refused before anything runs', async () => {
    const result = await t.run('export', {
      job: exportJob('overlap', { staging: 's3://rt-exports/', destination: 's3://rt-exports/overlap/' }),
    });
    expect(result.error).toBe('JobValidationError');
    expect(result.cause).toMatch(/overlap/);
  });

  it('an export into the parent folder of another export never touches the child', async () => {
    const child = await t.run('export', {
      job: exportJob('nested-child', { destination: 's3://rt-exports/nested/child/' }),
      runId: 'c1',
    });
    expect(child.error, child.cause).toBeUndefined();
    const before = await snapshot('nested/child/');
    // Default policy: the parent holds objects (the child) it did not write, so it is refused.
    const refused = await t.run('export', {
      job: exportJob('nested-parent', { destination: 's3://rt-exports/nested/' }),
      runId: 'p1',
    });
    expect(refused.error).toBe('DestinationNotEmptyError');
    // replace publishes beside the child and never removes a key of it.
    const replaced = await t.run('export', {
      job: exportJob('nested-parent', { destination: 's3://rt-exports/nested/', onExisting: 'replace' }),
      runId: 'p2',
    });
    expect(replaced.error, replaced.cause).toBeUndefined();
    expect(await snapshot('nested/child/')).toEqual(before);
    const parentManifest = JSON.parse(
      (await getObjectBytes(t.clients.s3, 'rt-exports', 'nested/_manifest.json')).toString(),
    );
    expect(parentManifest.runId).toBe('p2');
  });

  it('a rerun that fails before writing anything (its source table was dropped) leaves the last good output whole', async () => {
    await db.query('create table dropped_soon (id int, label varchar(50))');
    await db.query(`insert into dropped_soon select i, 'x' || i from generate_series(1, 10) i`);
    const job = (runId: string) => ({
      job: exportJob('rerun', {
        query: 'select id, label from dropped_soon',
        destination: 's3://rt-exports/rerun/',
        onExisting: 'replace',
      }),
      runId,
    });
    const good = await t.run('export', job('good'));
    expect(good.error, good.cause).toBeUndefined();
    const before = await snapshot('rerun/');
    expect(Object.keys(before)).toContain('rt-exports/rerun/_SUCCESS');
    await db.query('drop table dropped_soon');
    const failed = await t.run('export', job('failed'));
    expect(failed.error).toBe('StatementFailedError');
    expect(await snapshot('rerun/')).toEqual(before);
  });

  it('`..` in a destination or a source prefix is refused by the first task, nothing written anywhere', async () => {
    const before = await snapshot();
    const exported = await t.run('export', {
      job: exportJob('dotdot', { destination: 's3://rt-exports/dotdot/../../rt-landing/' }),
    });
    expect(exported.error).toBe('JobValidationError');
    expect(exported.cause).toMatch(
      /destination: the key must not contain an empty, "\." or "\.\." path segment/,
    );
    const loaded = await t.run('load', {
      job: loadJob('dotdot', { source: { prefix: 's3://rt-landing/a/../b/' } }),
    });
    expect(loaded.error).toBe('JobValidationError');
    expect(loaded.cause).toMatch(/source\.prefix: the key must not contain/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('named errors (local stack)', () => {
  it('a part that vanished between UNLOAD and processing fails with PartProcessingError naming it', async () => {
    const s3 = getRuntime().clients.s3;
    // Remove the first UNLOAD file the moment the plan has listed it (before the Map reads it).
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const key = (args.input as { Key?: string }).Key ?? '';
        if (
          context.commandName === 'GetObjectCommand' &&
          key.startsWith('vanish/') &&
          key.endsWith('/manifest')
        ) {
          const part = key.replace(/manifest$/, '0000_part_00.gz');
          await t.clients.s3.send(new DeleteObjectCommand({ Bucket: 'rt-staging', Key: part }));
        }
        return out;
      },
      { step: 'initialize', name: 'vanishPart' },
    );
    try {
      const result = await t.run('export', { job: exportJob('vanish'), runId: 'v1' });
      expect(result.error).toBe('PartProcessingError');
      expect(result.cause).toMatch(
        /^Part 0 \(s3:\/\/rt-staging\/vanish\/v1\/0000_part_00\.gz -> .*\) failed: NoSuchKey/,
      );
    } finally {
      s3.middlewareStack.remove('vanishPart');
    }
    // Parts still in flight when the Map failed may land after cleanup: only ever this run's
    // own, never published (no _manifest.json, no _SUCCESS).
    for (const key of await listKeys(t.clients.s3, 'rt-exports', 'vanish/')) {
      expect(key).toMatch(/^vanish\/v1-?[\w-]*\/part-\d{5}-v1\.csv\.gz$|part-\d{5}-v1\.csv\.gz$/);
    }
  });

  it('an object pinned by an ETag it no longer has is refused by name; nothing is loaded', async () => {
    await put('rt-landing', 'pinned/a.csv', 'id,label\n1,one\n');
    const rowsBefore = await count('loaded');
    const result = await t.run('load', {
      job: loadJob('pinned', {
        source: {
          objects: [{ uri: 's3://rt-landing/pinned/a.csv', etag: '0123456789abcdef0123456789abcdef' }],
        },
      }),
    });
    expect(result.error).toBe('SourceChangedError');
    expect(result.cause).toMatch(
      /s3:\/\/rt-landing\/pinned\/a\.csv has ETag \w+, not the pinned 0123456789abcdef0123456789abcdef/,
    );
    expect(await count('loaded')).toBe(rowsBefore);
  });

  it('a 0-byte source object is a named error naming the file, never invalid SQL; nothing is loaded', async () => {
    await put('rt-landing', 'empty/a.csv', '');
    const rowsBefore = await count('loaded');
    const result = await t.run('load', {
      job: loadJob('empty', { source: { objects: ['s3://rt-landing/empty/a.csv'] } }),
    });
    expect(result.error).toBe('NoSourceObjectsError');
    expect(result.cause).toMatch(/s3:\/\/rt-landing\/empty\/a\.csv is empty \(0 bytes\)/);
    expect(await count('loaded')).toBe(rowsBefore);
  });

  it('invalid UTF-8 fails with BadRecordError naming the file, line and column; nothing is loaded', async () => {
    await put(
      'rt-landing',
      'latin1/a.csv',
      Buffer.concat([Buffer.from('id,label\n1,ok\n2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const rowsBefore = await count('loaded');
    const result = await t.run('load', { job: loadJob('latin1') });
    expect(result.error).toBe('BadRecordError');
    expect(result.cause).toMatch(
      /s3:\/\/rt-landing\/latin1\/a\.csv: line 3, column 6: invalid UTF-8 \(byte 0xe9\)/,
    );
    expect(await count('loaded')).toBe(rowsBefore);
  });
});

/** A small seeded PRNG (mulberry32): the same seed gives the same runs. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T };
}

describe('property: a run never deletes or changes an object it did not create', () => {
  // Roots, parents, children, siblings, and `..`, in every bucket a run may touch.
  const STAGING = [
    's3://rt-staging/',
    's3://rt-staging/p/',
    's3://rt-staging/p/child/',
    's3://rt-exports/',
    's3://rt-exports/p/',
    's3://rt-landing/p/',
    's3://rt-staging/p/../q/',
  ];
  const DESTINATION = [
    's3://rt-exports/',
    's3://rt-exports/p/',
    's3://rt-exports/p/child/',
    's3://rt-exports/p/sib/',
    's3://rt-staging/p/',
    's3://rt-landing/p/',
    's3://rt-exports/p/../q/',
  ];
  const SOURCE = ['s3://rt-landing/p/', 's3://rt-landing/', 's3://rt-landing/p/../q/'];
  const FAULTS = ['PutObjectCommand', 'GetObjectCommand', 'DeleteObjectsCommand', 'ListObjectsV2Command'];
  const RUNS = 14;

  it(`holds for ${RUNS} seeded random runs (export, load, transfer; random faults)`, async () => {
    await db.query('create table prop_loaded (id int, label varchar(50))');
    // A user's objects, named like ours where it hurts most: parts, markers, manifests.
    for (const bucket of BUCKETS) {
      for (const prefix of ['', 'p/', 'p/child/', 'p/sib/', 'q/']) {
        await put(bucket, `${prefix}user.txt`, `user data in ${bucket}/${prefix}`);
        await put(bucket, `${prefix}part-00000.csv.gz`, 'looks like a part');
        await put(bucket, `${prefix}_SUCCESS`, '');
        await put(bucket, `${prefix}in.csv`, 'id,label\n1,a\n2,b\n');
      }
    }
    const user = await snapshot();
    const rng = random(15);
    const s3 = getRuntime().clients.s3;
    let fault: { command: string; nth: number; seen: number } | undefined;
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (fault !== undefined && context.commandName === fault.command && ++fault.seen === fault.nth) {
          throw Object.assign(new Error('injected by the property test'), {
            name: 'AccessDenied',
            $fault: 'client',
            $metadata: { httpStatusCode: 403 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'propertyFaults' },
    );
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        const runId = `prop-${i}`;
        const kind = rng.pick(['export', 'export', 'export', 'load', 'transfer'] as const);
        const staging = rng.pick(STAGING);
        const destination = rng.pick(DESTINATION);
        const onExisting = rng.pick(['fail', 'replace', 'newRunFolder'] as const);
        fault =
          rng.next() < 0.3
            ? undefined
            : { command: rng.pick(FAULTS), nth: 1 + Math.floor(rng.next() * 6), seen: 0 };
        const job =
          kind === 'export'
            ? exportJob(rng.pick(['prop-a', 'prop-b']), { staging, destination, onExisting })
            : kind === 'load'
              ? loadJob('prop-load', {
                  table: 'prop_loaded',
                  staging,
                  source: { prefix: rng.pick(SOURCE), suffix: '.csv' },
                })
              : {
                  kind: 'transfer',
                  name: 'prop-transfer',
                  source: {
                    target: { clusterIdentifier: 'local', database: t.database, dbUser: 'awsuser' },
                    iamRole: 'arn:aws:iam::123456789012:role/R',
                    query: 'select id, label from items where id <= 5',
                  },
                  destination: {
                    target: { clusterIdentifier: 'local', database: t.database, dbUser: 'awsuser' },
                    iamRole: 'arn:aws:iam::123456789012:role/R',
                    table: 'prop_loaded',
                  },
                  staging,
                };
        const before = await snapshot();
        const result = await t.run(kind, { job, runId, runDate: '2024-07-01' });
        const faulted = fault !== undefined && fault.seen >= fault.nth;
        fault = undefined;
        const after = await snapshot();
        outcomes.push(`${kind} ${result.status} ${result.error ?? ''}${faulted ? ' (fault)' : ''}`);
        const context = `run ${i}: ${kind} staging=${staging} destination=${destination} onExisting=${onExisting} -> ${result.status} ${result.error ?? ''} ${result.cause ?? ''}`;

        // 1. Every object of the user is there, byte for byte.
        for (const [key, bytes] of Object.entries(user)) expect(after[key], `${context}: ${key}`).toBe(bytes);
        // 2. A run that failed without publishing changed nothing that existed before it.
        const manifestKey = `${destination.replace('s3://', '')}_manifest.json`;
        const committed =
          kind === 'export' &&
          after[manifestKey] !== undefined &&
          JSON.parse(Buffer.from(after[manifestKey] ?? '', 'base64').toString()).runId === runId;
        if (result.status !== 'SUCCEEDED' && !committed) {
          for (const [key, bytes] of Object.entries(before))
            expect(after[key], `${context}: ${key}`).toBe(bytes);
        }
        // 3. Whatever a run leaves (a fault may hit its cleanup; a part still in flight when the
        // Map failed may land after it) is its own: its run id is in the key, or it is the
        // destination's _manifest.json/_SUCCESS of a run that published.
        for (const key of Object.keys(after)) {
          if (before[key] !== undefined) continue;
          const published = /(^|\/)(_manifest\.json|_SUCCESS)$/.test(key) && result.status === 'SUCCEEDED';
          expect(key.includes(runId) || published || committed, `${context}: created ${key}`).toBe(true);
        }
      }
    } finally {
      s3.middlewareStack.remove('propertyFaults');
    }
    // The seed exercises successes and failures of every kind.
    expect(outcomes.some((o) => o.includes('SUCCEEDED'))).toBe(true);
    expect(outcomes.some((o) => o.includes('FAILED'))).toBe(true);
    // ~2 s a run alone; the shared 2-core machine runs other e2e files beside it.
  }, 240_000);
});
