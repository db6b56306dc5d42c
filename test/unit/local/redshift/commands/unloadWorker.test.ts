import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRedshiftCommand } from '../../../../../local/redshift/commands/index.ts';
import { WorkerThread } from '../../../../../local/redshift/commands/workerThread.ts';
import type { CommandHarness } from './commandHarness.ts';
import { startHarness } from './commandHarness.ts';

/**
 * UNLOAD PARQUET encodes on the statement's thread, UNLOAD TEXT transcodes on a worker thread: files and counts are whole after a clean run, and a
 * failed or cancelled UNLOAD ends the thread and leaves only what was there before it.
 */
const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
let h: CommandHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.bucket('pqu');
  await h.client.query(`
    CREATE TABLE big (n integer, label varchar(64), amount numeric(12,2));
    INSERT INTO big SELECT g, 'label-' || md5(g::text), g / 100.0 FROM generate_series(1, 200000) g;
  `);
  // Not written by the runs below: a failed UNLOAD must leave it alone.
  await h.put('pqu', 'fail/keep.txt', 'someone else');
  await h.put('pqu', 'cancel/keep.txt', 'someone else');
});
afterAll(async () => {
  await h?.close();
});

const run = (sql: string, ctx = h.ctx()) => executeRedshiftCommand(sql, ctx);

/** A client whose first S3 call of `command` runs `before` (then proceeds or throws). */
function s3With(command: RegExp, before: () => void) {
  let seen = false;
  return h.s3Watching((name) => {
    if (!seen && command.test(name)) {
      seen = true;
      before();
    }
  });
}

/**
 * Cancels `options` UNLOAD of `big` at its first upload (the worker is running then): it must fail
 * as cancelled, leave only `cancel/keep.txt`, no thread, and a session whose next query runs.
 */
async function expectCancelled(options: string, threadAtCancel = 1): Promise<void> {
  const abort = new AbortController();
  let liveAtCancel = -1;
  const s3 = s3With(/^(PutObject|CreateMultipartUpload|UploadPart)Command$/, () => {
    liveAtCancel = WorkerThread.live;
    abort.abort();
  });
  try {
    await expect(
      run(
        `UNLOAD ('select * from big') TO 's3://pqu/cancel/' ${ROLE} ${options} ALLOWOVERWRITE MAXFILESIZE 5 MB`,
        h.ctx({ s3, signal: abort.signal }),
      ),
    ).rejects.toThrow(/cancelled/);
  } finally {
    s3.destroy();
  }
  expect(liveAtCancel).toBe(threadAtCancel);
  expect(await h.keys('pqu', 'cancel/')).toEqual(['cancel/keep.txt']);
  // The session's COPY was stopped, not left half-read: the next query runs.
  expect((await h.client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  expect(WorkerThread.live).toBe(0);
}

describe("UNLOAD PARQUET (encoded on the statement's thread)", () => {
  it('writes every row once across slices and files, with manifest counts, and starts no thread', async () => {
    for (const [prefix, parallel] of [
      ['a', 'ON'],
      ['b', 'OFF'],
    ]) {
      const res = await run(
        `UNLOAD ('select * from big') TO 's3://pqu/${prefix}/' ${ROLE} FORMAT PARQUET MAXFILESIZE 5 MB MANIFEST VERBOSE PARALLEL ${parallel}`,
      );
      expect(res.rows).toBe(200000);
      expect(WorkerThread.live).toBe(0);
    }
    const manifest = JSON.parse((await h.get('pqu', 'b/manifest')).toString()) as {
      entries: { url: string; meta: { record_count: number; content_length: number } }[];
    };
    const keys = (await h.keys('pqu', 'b/')).filter((k) => k.endsWith('.parquet'));
    expect(manifest.entries.map((e) => e.url.replace('s3://pqu/', '')).sort()).toEqual(keys);
    expect((await h.keys('pqu', 'a/')).filter((k) => k.endsWith('.parquet'))).toHaveLength(4); // one per slice
    expect(keys.length).toBeGreaterThan(1); // ~7 MB of values over 5 MB files
    expect(manifest.entries.reduce((s, e) => s + e.meta.record_count, 0)).toBe(200000);
    for (const e of manifest.entries) {
      const body = await h.get('pqu', e.url.replace('s3://pqu/', ''));
      expect(body.length).toBe(e.meta.content_length);
      expect(body.length).toBeLessThanOrEqual(5 * 1024 * 1024);
      expect(body.subarray(0, 4).toString()).toBe('PAR1');
      expect(body.subarray(-4).toString()).toBe('PAR1');
    }
  });

  it('a query failing mid-stream fails the UNLOAD with its error, writes nothing, starts no thread and leaves a usable session', async () => {
    await expect(
      run(
        `UNLOAD ('select n, 1 / (n - 150000) as x from big') TO 's3://pqu/fail/' ${ROLE} FORMAT PARQUET ALLOWOVERWRITE MAXFILESIZE 5 MB`,
      ),
    ).rejects.toThrow(/division by zero/);
    expect(await h.keys('pqu', 'fail/')).toEqual(['fail/keep.txt']);
    expect(WorkerThread.live).toBe(0);
    expect((await h.client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  it('an S3 upload failure fails the UNLOAD, keeps what it did not write and stops the COPY: the session runs the next query', async () => {
    const s3 = s3With(/^(PutObject|CreateMultipartUpload|UploadPart)Command$/, () => {
      throw new Error('S3 is down');
    });
    try {
      await expect(
        run(
          `UNLOAD ('select * from big') TO 's3://pqu/fail/' ${ROLE} FORMAT PARQUET ALLOWOVERWRITE MAXFILESIZE 5 MB`,
          h.ctx({ s3 }),
        ),
      ).rejects.toThrow(/S3 is down/);
    } finally {
      s3.destroy();
    }
    expect(await h.keys('pqu', 'fail/')).toEqual(['fail/keep.txt']);
    expect(WorkerThread.live).toBe(0);
    // The COPY was stopped mid-stream (stopCopyOut), not left half-read: the same session goes on.
    expect((await h.client.query('SELECT count(*)::int AS n FROM big')).rows[0].n).toBe(200000);
  });

  it('a cancelled UNLOAD stops while it encodes, leaves no file and a usable session', async () => {
    await expectCancelled('FORMAT PARQUET', 0);
  });
});

describe('UNLOAD CSV on a worker thread', () => {
  it('writes every row once in order across gzip files, with manifest counts', async () => {
    const res = await run(
      `UNLOAD ('select n, label from big order by n') TO 's3://pqu/csv/' ${ROLE} CSV GZIP MAXFILESIZE 5 MB MANIFEST VERBOSE PARALLEL OFF`,
    );
    expect(res.rows).toBe(200000);
    const manifest = JSON.parse((await h.get('pqu', 'csv/manifest')).toString()) as {
      entries: { url: string; meta: { record_count: number } }[];
    };
    const lines: string[] = [];
    for (const e of manifest.entries) {
      const text = gunzipSync(await h.get('pqu', e.url.replace('s3://pqu/', ''))).toString();
      const fileLines = text.split('\n').slice(0, -1);
      expect(fileLines).toHaveLength(e.meta.record_count);
      for (const l of fileLines) lines.push(l);
    }
    expect(lines).toHaveLength(200000);
    expect(lines[0]).toBe(`1,label-${createHash('md5').update('1').digest('hex')}`);
    expect(lines.every((l, i) => l.startsWith(`${i + 1},`))).toBe(true);
    expect(WorkerThread.live).toBeLessThanOrEqual(1);
  });

  it('a failed UNLOAD CSV GZIP leaves no file and no thread', async () => {
    await expect(
      run(
        `UNLOAD ('select n, 1 / (n - 150000) as x from big') TO 's3://pqu/fail/' ${ROLE} CSV GZIP ALLOWOVERWRITE`,
      ),
    ).rejects.toThrow(/division by zero/);
    expect(await h.keys('pqu', 'fail/')).toEqual(['fail/keep.txt']);
    expect(WorkerThread.live).toBe(0);
  });

  it('a cancelled UNLOAD TEXT (transcoded on the thread) leaves no file, no thread and a usable session', async () => {
    await expectCancelled('PARALLEL OFF');
  });

  it('a cancelled UNLOAD CSV (PostgreSQL CSV as it is, no thread) leaves no file and a usable session', async () => {
    await expectCancelled('CSV PARALLEL OFF', 0);
  });
});
