import { spawnSync } from 'node:child_process';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRedshiftCommand } from '../../../../../local/redshift/commands/index.ts';
import type { CommandHarness } from './commandHarness.ts';
import { startHarness } from './commandHarness.ts';

/**
 * MAXFILESIZE is an upper bound for every file UNLOAD writes, whatever the format and
 * compression (Redshift: "the maximum size of files UNLOAD creates in Amazon S3"). The rows are
 * hashes (they compress to ~55%), so each case writes several files of up to 5 MB compressed.
 */

const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
const MB = 1024 * 1024;
const CAP = 5 * MB;
const ROWS = 200_000;
let h: CommandHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.bucket('cap');
  await h.client.query(`
    CREATE TABLE wide AS
      SELECT i AS id, md5(i::text) || md5((i * 7)::text) AS a, md5((i * 13)::text) AS b, (i % 97)::int AS k
      FROM generate_series(1, ${ROWS}) AS i;
  `);
});
afterAll(async () => {
  await h?.close();
});

async function unload(prefix: string, options: string, query = 'select id, a, b from wide order by id') {
  const res = await executeRedshiftCommand(
    `UNLOAD ('${query}') TO 's3://cap/${prefix}/p_' ${ROLE} ${options} MAXFILESIZE 5 MB MANIFEST VERBOSE`,
    h.ctx(),
  );
  expect(res.rows).toBe(ROWS);
  // With PARTITION BY the prefix is a folder and the manifest lies in it.
  const manifestKey = options.includes('PARTITION BY') ? `${prefix}/p_/manifest` : `${prefix}/p_manifest`;
  const manifest = JSON.parse((await h.get('cap', manifestKey)).toString()) as {
    entries: { url: string; meta: { content_length: number; record_count: number } }[];
  };
  const files = await Promise.all(
    manifest.entries.map(async (e) => {
      const body = await h.get('cap', e.url.replace('s3://cap/', ''));
      return { url: e.url, body, meta: e.meta };
    }),
  );
  return files;
}

/**
 * Every file within the cap and its manifest entry true; when one stream wrote more than the cap
 * (`filled`), files close near the cap, not far below it.
 */
function expectCapped(
  files: { url: string; body: Buffer; meta: { content_length: number } }[],
  filled = true,
) {
  expect(files.length).toBeGreaterThanOrEqual(2);
  for (const f of files) {
    expect(f.body.length, f.url).toBeLessThanOrEqual(CAP);
    expect(f.meta.content_length, f.url).toBe(f.body.length);
  }
  if (!filled) return;
  const largest = Math.max(...files.map((f) => f.body.length));
  expect(largest).toBeGreaterThan(0.9 * CAP);
}

function arrayBuffer(b: Buffer): ArrayBuffer {
  return Uint8Array.from(b).buffer;
}

function bunzip2(body: Buffer): Buffer {
  const out = spawnSync('bzip2', ['-dc'], { input: body, maxBuffer: 256 * MB });
  if (out.status !== 0) throw new Error(`bzip2 -dc failed: ${out.stderr.toString()}`);
  return out.stdout;
}

/** The ids in delimited or JSON lines, in file order (an independent parse of the output). */
function ids(lines: string[], json: boolean): number[] {
  return lines.map((l) => (json ? (JSON.parse(l) as { id: number }).id : Number(l.split(/[|,]/)[0])));
}

const delimited: [string, string, (b: Buffer) => Buffer][] = [
  ['CSV', 'FORMAT CSV PARALLEL OFF', (b) => b],
  ['CSV GZIP', 'FORMAT CSV GZIP PARALLEL OFF', gunzipSync],
  ['TEXT ZSTD', 'ZSTD PARALLEL OFF', (b) => zstdDecompressSync(b)],
  ['TEXT BZIP2', 'BZIP2 PARALLEL OFF', bunzip2],
  ['JSON', 'FORMAT JSON PARALLEL OFF', (b) => b],
  ['CSV HEADER GZIP, 4 slices', 'FORMAT CSV HEADER GZIP', gunzipSync],
];

describe('UNLOAD MAXFILESIZE is an upper bound', () => {
  for (const [name, options, decode] of delimited) {
    it(`${name}: every file at most 5 MB, every row once`, async () => {
      const prefix = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const files = await unload(prefix, options);
      expectCapped(files, options.includes('PARALLEL OFF'));
      const header = options.includes('HEADER');
      const all: number[] = [];
      for (const f of files) {
        const lines = decode(f.body).toString('utf8').split('\n');
        expect(lines.pop()).toBe('');
        if (header) expect(lines.shift()).toBe('id,a,b');
        expect((f.meta as { record_count: number }).record_count).toBe(lines.length + (header ? 1 : 0));
        all.push(...ids(lines, options.includes('JSON')));
      }
      if (options.includes('PARALLEL OFF'))
        expect(all).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
      else expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    });
  }

  it('PARQUET: every file at most 5 MB, a valid Parquet file holding its rows', async () => {
    const files = await unload('parquet', 'FORMAT PARQUET');
    expectCapped(files);
    let total = 0;
    let sum = 0;
    for (const f of files) {
      const buffer = arrayBuffer(f.body);
      const meta = parquetMetadata(buffer);
      expect(Number(meta.num_rows)).toBe((f.meta as { record_count: number }).record_count);
      const rows = (await parquetReadObjects({ file: buffer })) as { id: number; a: string }[];
      expect(rows).toHaveLength(Number(meta.num_rows));
      for (const r of rows) sum += r.id;
      total += rows.length;
    }
    expect(total).toBe(ROWS);
    expect(sum).toBe((ROWS * (ROWS + 1)) / 2);
  });

  it('PARQUET with PARTITION BY: every file at most 5 MB', async () => {
    const files = await unload(
      'parquet-partitioned',
      'FORMAT PARQUET PARTITION BY (k) PARALLEL OFF',
      'select id, a, b, k % 2 as k from wide',
    );
    expectCapped(files);
    expect(files.length).toBeGreaterThanOrEqual(4);
    let total = 0;
    for (const f of files) {
      const buffer = arrayBuffer(f.body);
      total += Number(parquetMetadata(buffer).num_rows);
    }
    expect(total).toBe(ROWS);
  });
});
