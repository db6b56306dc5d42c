import { createHash } from 'node:crypto';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobDocument } from '../helpers/exportJobDocument.ts';
import { getObjectBytes, listKeys } from '../helpers/s3Objects.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * The export state machine on the whole local stack (Step Functions API, Data API emulator over
 * PostgreSQL with 4 slices, S3): each output format and layout, read back byte for byte and
 * compared with the table; zero rows; the two early failures.
 */

const ROWS = 2000;
let t: TestStack;

function keys(bucket: string, prefix: string): Promise<string[]> {
  return listKeys(t.clients.s3, bucket, prefix);
}

function bytes(bucket: string, key: string): Promise<Buffer> {
  return getObjectBytes(t.clients.s3, bucket, key);
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

function job(name: string, overrides: Record<string, unknown> = {}) {
  return exportJobDocument(
    name,
    t.database,
    'select salesid, eventname, pricepaid from sales order by salesid',
    overrides,
  );
}

async function run(input: Record<string, unknown>) {
  const result = await t.run('export', input);
  return { ...result, summary: result.output === undefined ? undefined : JSON.parse(result.output).result };
}

/** The CSV line Redshift writes for sale i (a field with a quote or comma is quoted, quotes doubled). */
function csvLine(i: number): string {
  const name = i % 7 === 0 ? '"Say ""hi"", all"' : `event ${i}`;
  return `${i},${name},${((i % 500) + 0.25).toFixed(2)}`;
}
const allIds = Array.from({ length: ROWS }, (_, i) => i + 1);

beforeAll(async () => {
  t = await startTestStack();
  const db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query(
    'create table sales (salesid int primary key, eventname varchar(200), pricepaid numeric(8,2))',
  );
  await db.query(
    `insert into sales select i, case when i % 7 = 0 then 'Say "hi", all' else 'event ' || i end, (i % 500) + 0.25 from generate_series(1, ${ROWS}) i`,
  );
  await db.end();
});

afterAll(async () => {
  await t?.stop();
});

describe('export state machine (local stack)', () => {
  it('exports gzip CSV with a header per part, checksummed in _manifest.json, then _SUCCESS; staging emptied', async () => {
    const result = await run({ job: job('csv-gzip'), runId: 'r1', runDate: '2024-03-01' });
    expect(result.error, result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    const prefix = 'csv-gzip/2024-03-01/';
    const written = await keys('rt-exports', prefix);
    const parts = written.filter((k) => /part-\d{5}-r1\.csv\.gz$/.test(k));
    // 4 slices: one file per slice.
    expect(parts).toEqual([0, 1, 2, 3].map((i) => `${prefix}part-0000${i}-r1.csv.gz`));
    expect(written).toEqual([`${prefix}_SUCCESS`, `${prefix}_manifest.json`, ...parts]);

    const manifest = JSON.parse((await bytes('rt-exports', `${prefix}_manifest.json`)).toString('utf8'));
    expect(result.summary).toEqual({
      manifestUri: `s3://rt-exports/${prefix}_manifest.json`,
      destination: `s3://rt-exports/${prefix}`,
      rows: ROWS,
      parts: 4,
      bytes: manifest.bytes,
      lambdaBytes: manifest.lambdaBytes,
    });
    // Zero-copy: no part byte passed through Lambda (S3 copied the parts and computed their SHA-256).
    expect(manifest.lambdaBytes).toBe(0);
    expect(manifest).toMatchObject({
      version: 1,
      job: 'csv-gzip',
      runDate: '2024-03-01',
      destination: `s3://rt-exports/${prefix}`,
      format: 'csv',
      compression: 'gzip',
      rows: ROWS,
      schema: [
        { name: 'salesid', type: 'integer' },
        { name: 'eventname', type: 'character varying' },
        { name: 'pricepaid', type: 'numeric' },
      ],
    });
    const dataLines: string[] = [];
    let totalBytes = 0;
    for (const [i, key] of parts.entries()) {
      const body = await bytes('rt-exports', key);
      const partLines = lines(gunzipSync(body).toString('utf8'));
      expect(partLines[0]).toBe('salesid,eventname,pricepaid');
      dataLines.push(...partLines.slice(1));
      totalBytes += body.length;
      expect(manifest.parts[i]).toEqual({
        url: `s3://rt-exports/${key}`,
        rows: partLines.length - 1,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        checksum: {
          algorithm: 'SHA256',
          value: createHash('sha256').update(body).digest('base64'),
          type: 'FULL_OBJECT',
        },
        verified: 'manifest',
      });
    }
    expect(manifest.bytes).toBe(totalBytes);
    expect(dataLines.sort()).toEqual(allIds.map(csvLine).sort());
    expect(await keys('rt-staging', 'csv-gzip/')).toEqual([]);
    expect(await keys('rt-state', 'runs/csv-gzip/')).toEqual([]);
  });

  it('exports Parquet: every row read back with its values', async () => {
    const result = await run({
      job: job('parquet', { unload: { format: 'parquet' } }),
      runDate: '2024-03-02',
    });
    expect(result.error, result.cause).toBeUndefined();
    const parts = (await keys('rt-exports', 'parquet/2024-03-02/')).filter((k) => k.endsWith('.parquet'));
    expect(parts).toHaveLength(4);
    const rows: { salesid: number; eventname: string; pricepaid: unknown }[] = [];
    for (const key of parts) {
      const body = await bytes('rt-exports', key);
      expect(body.subarray(0, 4).toString()).toBe('PAR1');
      rows.push(
        ...((await parquetReadObjects({
          file: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
        })) as typeof rows),
      );
    }
    rows.sort((a, b) => a.salesid - b.salesid);
    expect(rows.map((r) => r.salesid)).toEqual(allIds);
    expect(rows[6]).toMatchObject({ salesid: 7, eventname: 'Say "hi", all' });
    expect(Number(rows[6]?.pricepaid)).toBe(7.25);
    expect(result.summary).toMatchObject({ rows: ROWS, parts: 4 });
  });

  it('exports partitioned CSV into Hive folders without the partition column', async () => {
    const result = await run({
      job: job('partitioned', {
        query: 'select salesid, pricepaid, salesid % 3 as bucket from sales',
        unload: { format: 'csv', partitionBy: ['bucket'] },
      }),
      runId: 'r1',
      runDate: '2024-03-03',
    });
    expect(result.error, result.cause).toBeUndefined();
    const prefix = 'partitioned/2024-03-03/';
    const written = await keys('rt-exports', prefix);
    const parts = written.filter((k) => /part-\d{5}-r1\.csv$/.test(k));
    // 3 folders x 4 slices, numbered by the UNLOAD manifest's order.
    expect(parts.map((k) => k.slice(prefix.length).replace(/part-\d{5}-r1/, 'part'))).toEqual(
      ['0', '1', '2'].flatMap((b) => Array(4).fill(`bucket=${b}/part.csv`)),
    );
    for (const key of parts) {
      const bucket = Number(/bucket=(\d)\//.exec(key)?.[1]);
      for (const line of lines((await bytes('rt-exports', key)).toString('utf8'))) {
        const [id, price, ...rest] = line.split(',');
        expect(rest).toEqual([]);
        expect(Number(id) % 3).toBe(bucket);
        expect(price).toBe(((Number(id) % 500) + 0.25).toFixed(2));
      }
    }
    expect(result.summary).toMatchObject({ rows: ROWS, parts: 12 });
  });

  it('exports with PARALLEL OFF into one part in the query order, recompressed to zstd', async () => {
    const result = await run({
      job: job('serial', {
        unload: { format: 'csv', compression: 'gzip', header: true, parallel: false },
        process: { recompress: 'zstd' },
      }),
      runId: 'r1',
      runDate: '2024-03-04',
    });
    expect(result.error, result.cause).toBeUndefined();
    expect(await keys('rt-exports', 'serial/2024-03-04/')).toEqual([
      'serial/2024-03-04/_SUCCESS',
      'serial/2024-03-04/_manifest.json',
      'serial/2024-03-04/part-00000-r1.csv.zst',
    ]);
    const text = zstdDecompressSync(
      await bytes('rt-exports', 'serial/2024-03-04/part-00000-r1.csv.zst'),
    ).toString();
    expect(lines(text)).toEqual(['salesid,eventname,pricepaid', ...allIds.map(csvLine)]);
    expect(result.summary).toMatchObject({ rows: ROWS, parts: 1 });
  });

  it('converts CSV to JSON lines typed by the manifest schema', async () => {
    const result = await run({
      job: job('jsonl', {
        query: 'select salesid, eventname, pricepaid from sales where salesid <= 14',
        unload: { format: 'csv', header: true, parallel: false },
        process: { convert: 'csv-to-jsonl' },
      }),
      runId: 'r1',
      runDate: '2024-03-05',
    });
    expect(result.error, result.cause).toBeUndefined();
    const text = (await bytes('rt-exports', 'jsonl/2024-03-05/part-00000-r1.jsonl')).toString('utf8');
    expect(lines(text).map((l) => JSON.parse(l))[6]).toEqual({
      salesid: 7,
      eventname: 'Say "hi", all',
      pricepaid: '7.25',
    });
    expect(lines(text)).toHaveLength(14);
  });

  it.each([
    ['csv', { format: 'csv', compression: 'gzip', header: true }],
    ['json', { format: 'json' }],
    ['parquet', { format: 'parquet' }],
    ['partitioned', { format: 'csv', partitionBy: ['bucket'] }],
  ])('publishes an empty result (%s) as _manifest.json with 0 parts and _SUCCESS', async (kind, unload) => {
    const name = `empty-${kind}`;
    const result = await run({
      job: job(name, {
        query: 'select salesid, pricepaid, salesid % 3 as bucket from sales where salesid < 0',
        unload,
      }),
      runDate: '2024-03-06',
    });
    expect(result.error, result.cause).toBeUndefined();
    expect(result.summary).toMatchObject({ rows: 0, parts: 0, bytes: 0 });
    expect(await keys('rt-exports', `${name}/`)).toEqual([
      `${name}/2024-03-06/_SUCCESS`,
      `${name}/2024-03-06/_manifest.json`,
    ]);
    const manifest = JSON.parse((await bytes('rt-exports', `${name}/2024-03-06/_manifest.json`)).toString());
    expect(manifest).toMatchObject({ rows: 0, bytes: 0, parts: [] });
    expect(await keys('rt-staging', `${name}/`)).toEqual([]);
  });

  it("fails a bad query with StatementFailedError carrying Redshift's message, leaving nothing behind", async () => {
    const result = await run({ job: job('bad-sql', { query: 'select * from no_such_table' }) });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StatementFailedError');
    expect(result.cause).toMatch(/no_such_table/);
    expect(await keys('rt-exports', 'bad-sql/')).toEqual([]);
    expect(await keys('rt-staging', 'bad-sql/')).toEqual([]);
  });

  it('rejects an invalid job with JobValidationError listing the problems', async () => {
    const result = await run({ job: job('bad-job', { unload: { maxFileSize: '2 KB' } }) });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('JobValidationError');
    expect(result.cause).toMatch(/unload\.maxFileSize: expected a size like "256 MB"/);
  });
});
