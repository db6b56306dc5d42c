import { gunzipSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRecordError, SchemaMismatchError } from '../../../src/errors.ts';
import { sourceLineOf } from '../../../src/load/lineMap.ts';
import type { LoadContext, LoadPart } from '../../../src/load/loadRun.ts';
import { preparePart } from '../../../src/load/preparePart.ts';
import { salesContext, salesJob } from '../../helpers/salesLoad.ts';
import { targetColumn as column } from '../../helpers/targetColumn.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';

const tableColumns = [
  column('id', 'integer', { nullable: false }),
  column('name', 'character varying', { maxLength: 10 }),
  column('amount', 'numeric', { precision: 8, scale: 2 }),
  column('source', 'character varying', { maxLength: 10, nullable: false, hasDefault: true }),
];

const job = salesJob;

function context(extra: Partial<LoadContext> = {}): LoadContext {
  return salesContext(tableColumns, extra);
}

describe('Function: preparePart', () => {
  let s3: TestS3;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startTestS3();
    client = s3.client;
    await client.send(new CreateBucketCommand({ Bucket: 'landing' }));
    await client.send(new CreateBucketCommand({ Bucket: 'stage' }));
  });

  afterAll(async () => {
    await s3.stop();
  });

  async function put(key: string, body: Buffer | string) {
    const out = await client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: body }));
    return { etag: out.ETag ?? '', size: Buffer.byteLength(body) };
  }

  async function get(url: string): Promise<Buffer> {
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(url) as RegExpExecArray;
    const out = await client.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    return Buffer.from(
      await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  }

  function part(key: string, meta: { etag: string; size: number }, extra: Partial<LoadPart> = {}): LoadPart {
    return { index: 0, bucket: 'landing', key, chunks: 2, compression: 'gzip', ...meta, ...extra };
  }

  it('reorders a gzip CSV to the run column order, keeps NULL vs "", and deals records into gzip chunks', async () => {
    const csv = 'name,amount,id\r\n"",1.50,1\n,,2\n"multi\nline",3,3\n"x,y",\\N,4\n';
    const meta = await put('in/a.csv.gz', gzipSync(csv));
    const summary = await preparePart({
      s3: client,
      job: job(),
      context: context(),
      part: part('in/a.csv.gz', meta),
      // One record per turn: records alternate between the two chunks.
      dealBytes: 1,
    });

    expect(summary).toMatchObject({
      index: 0,
      bucket: 'landing',
      key: 'in/a.csv.gz',
      objectVersion: `etag:${meta.etag.replace(/"/g, '')}`,
      records: 4,
      rejected: 0,
      rejectedSamples: [],
    });
    expect(summary.files.map((f) => [f.url, f.records])).toEqual([
      ['s3://stage/runs/sales/r1/chunks/p00000-c000.csv.gz', 2],
      ['s3://stage/runs/sales/r1/chunks/p00000-c001.csv.gz', 2],
    ]);
    const first = await get(summary.files[0]?.url ?? '');
    const second = await get(summary.files[1]?.url ?? '');
    expect(summary.files.map((f) => f.bytes)).toEqual([first.length, second.length]);
    expect(gunzipSync(first).toString()).toBe('1,"",1.50\n3,"multi\nline",3\n');
    expect(gunzipSync(second).toString()).toBe('2,,\n4,"x,y",\\N\n');

    const stored = JSON.parse((await get('s3://stage/runs/sales/r1/parts/p00000.json')).toString());
    expect(stored).toEqual(summary);
    // Chunk 0 holds source lines 2 and 4-5, chunk 1 lines 3 and 6.
    const lines = JSON.parse((await get('s3://stage/runs/sales/r1/lines/p00000.json')).toString());
    expect(lines).toEqual({
      chunks: [
        [1, 2, 2, 4],
        [1, 3, 2, 6],
      ],
    });
  });

  it('deals runs of records to the chunks and maps chunk lines back to source lines', async () => {
    // 40 records of 10 bytes (with a bad one and a blank line) in runs of 100 bytes: ten records a turn.
    const rows: string[] = ['id,name,amount'];
    for (let i = 1; i <= 40; i++)
      rows.push(i === 15 ? '' : i === 25 ? `${i},bad,x.yz` : `${i},nm,${1000 + i}`.padEnd(9, '0'));
    const meta = await put('in/runs.csv', `${rows.join('\r\n')}\r\n`);
    const summary = await preparePart({
      s3: client,
      job: job({ maxErrors: 1, copyOptions: { ignoreBlankLines: true } }),
      context: context(),
      part: part('in/runs.csv', meta, { compression: 'none', index: 7 }),
      dealBytes: 100,
    });
    expect(summary.records).toBe(38);
    expect(summary.rejectedSamples).toEqual([
      { line: 26, column: 'amount', reason: '"x.yz" is not a number (numeric(8,2))' },
    ]);
    expect(summary.files.map((f) => f.records)).toEqual([20, 18]);
    const chunk0 = gunzipSync(await get(summary.files[0]?.url ?? ''))
      .toString()
      .split('\n');
    expect(chunk0.slice(0, 2)).toEqual(['1,nm,1001', '2,nm,1002']);
    const { chunks } = JSON.parse((await get('s3://stage/runs/sales/r1/lines/p00007.json')).toString());
    // Record i is on line i + 1. Chunk 0: lines 2-11, then 23-25 and 27-32 (line 26 is the bad
    // record); chunk 1: lines 12-15, 17-22 (16 is blank), then 34-41.
    expect(chunks).toEqual([
      [1, 2, 11, 23, 14, 27],
      [1, 12, 5, 17, 11, 34],
    ]);
    expect(chunk0[14]).toBe('27,nm,1027');
    expect(sourceLineOf(chunks[0], 15)).toBe(28);
    expect(sourceLineOf(chunks[1], 18)).toBe(41);
  });

  it('drops a byte order mark, rewrites irregular fields, and checks UTF-8 (or replaces it with acceptInvChars)', async () => {
    const text = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('id,name,amount\n1,"ab"c,2\n2,x\ry,3\n3,caf\u00e9,4\n'),
    ]);
    const meta = await put('in/bom.csv', text);
    const summary = await preparePart({
      s3: client,
      job: job(),
      context: context(),
      part: part('in/bom.csv', meta, { compression: 'none', chunks: 1, index: 8 }),
    });
    expect(gunzipSync(await get(summary.files[0]?.url ?? '')).toString()).toBe(
      '1,"abc",2\n2,"x\ry",3\n3,caf\u00e9,4\n',
    );

    const invalid = Buffer.concat([
      Buffer.from('id,name,amount\n1,b'),
      Buffer.from([0xff]),
      Buffer.from('d,2\n'),
    ]);
    const bad = await put('in/latin1.csv', invalid);
    await expect(
      preparePart({
        s3: client,
        job: job(),
        context: context(),
        part: part('in/latin1.csv', bad, { compression: 'none', chunks: 1, index: 9 }),
      }),
    ).rejects.toThrow(
      new BadRecordError(
        "s3://landing/in/latin1.csv: line 2, column 4: invalid UTF-8 (byte 0xff). Fix the file's encoding, or set copyOptions.acceptInvChars.",
      ),
    );
    const lenient = await preparePart({
      s3: client,
      job: job({ copyOptions: { acceptInvChars: true } }),
      context: context(),
      part: part('in/latin1.csv', bad, { compression: 'none', chunks: 1, index: 9 }),
    });
    expect(gunzipSync(await get(lenient.files[0]?.url ?? '')).toString()).toBe('1,b\ufffdd,2\n');
  });

  it('reads zstd and bzip2 sources too', async () => {
    const zst = await put('in/b.csv.zst', zstdCompressSync('id,name,amount\n5,e,1\n'));
    const z = await preparePart({
      s3: client,
      job: job(),
      context: context(),
      part: part('in/b.csv.zst', zst, { compression: 'zstd', chunks: 1, index: 1 }),
    });
    expect(z.records).toBe(1);
    // "id,name\n1,a\n2,b\n" compressed by bzip2(1)
    const bz = await put(
      'in/c.csv.bz2',
      Buffer.from('QlpoOTFBWSZTWaAwe34AAAbZAAAQAAQwADYjIAAxANNNBAMQIEFFl0b17fi7kinChIUBg9vw', 'base64'),
    );
    const b = await preparePart({
      s3: client,
      job: job(),
      context: context({ fileColumns: ['id', 'name'] }),
      part: part('in/c.csv.bz2', bz, { compression: 'bzip2', chunks: 1, index: 2 }),
    });
    expect(b.records).toBe(2);
    expect(gunzipSync(await get(b.files[0]?.url ?? '')).toString()).toBe('1,a\n2,b\n');
  });

  it('names the file, line and column of a bad value, and of a wrong column count', async () => {
    const bad = await put('in/bad.csv', 'id,name,amount\n1,a,1\n2,b,abc\n');
    await expect(
      preparePart({
        s3: client,
        job: job(),
        context: context(),
        part: part('in/bad.csv', bad, { compression: 'none' }),
      }),
    ).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof BadRecordError &&
        e.message ===
          'Bad record in s3://landing/in/bad.csv line 3, column "amount": "abc" is not a number (numeric(8,2)). Nothing was loaded. Fix the file and load it again (or set maxErrors to skip bad rows).',
    );
    const short = await put('in/short.csv', 'id,name,amount\n1,a,1\n2,b\n');
    await expect(
      preparePart({
        s3: client,
        job: job(),
        context: context(),
        part: part('in/short.csv', short, { compression: 'none' }),
      }),
    ).rejects.toThrow(
      'Bad record in s3://landing/in/short.csv line 3: 2 field(s), expected 3 (id, name, amount)',
    );
  });

  it('rejects a header that does not match the columns', async () => {
    const meta = await put('in/hdr.csv', 'id,nme,amount\n1,a,1\n');
    const error = await preparePart({
      s3: client,
      job: job(),
      context: context(),
      part: part('in/hdr.csv', meta, { compression: 'none' }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as Error).message).toBe(
      'The header of s3://landing/in/hdr.csv (line 1) does not match the load\'s columns (id, name, amount): unexpected column(s) "nme"; missing column(s) "name". Fix the file\'s header, or "columns" in the job.',
    );
  });

  it('skips up to maxErrors bad records and reports them', async () => {
    const meta = await put('in/some-bad.csv', '1,a,1\n2,waytoolongname,2\n3,c\n4,d,4\n');
    const summary = await preparePart({
      s3: client,
      job: job({ format: { type: 'csv', header: false }, maxErrors: 2 }),
      context: context(),
      part: part('in/some-bad.csv', meta, { compression: 'none', chunks: 1, index: 3 }),
    });
    expect(summary.records).toBe(2);
    expect(summary.rejected).toBe(2);
    expect(summary.rejectedSamples).toEqual([
      { line: 2, column: 'name', reason: '"waytoolongname" is 14 bytes, longer than character varying(10)' },
      { line: 3, reason: '2 field(s), expected 3 (id, name, amount)' },
    ]);
    expect(gunzipSync(await get(summary.files[0]?.url ?? '')).toString()).toBe('1,a,1\n4,d,4\n');
  });

  it('checks JSON lines against the columns', async () => {
    const meta = await put('in/d.json', '{"id":1,"name":"a","amount":2.5}\n\n{"id":2,"name":null}\n');
    const summary = await preparePart({
      s3: client,
      job: job({ format: { type: 'json' } }),
      context: context({ tableColumns: tableColumns.slice(0, 3), fileColumns: null }),
      part: part('in/d.json', meta, { compression: 'none', chunks: 1, index: 4 }),
    });
    expect(summary.records).toBe(2);
    expect(gunzipSync(await get(summary.files[0]?.url ?? '')).toString()).toBe(
      '{"id":1,"name":"a","amount":2.5}\n{"id":2,"name":null}\n',
    );
    const missing = await put('in/e.json', '{"name":"a"}\n');
    await expect(
      preparePart({
        s3: client,
        job: job({ format: { type: 'json' } }),
        context: context({ tableColumns: tableColumns.slice(0, 3), fileColumns: null }),
        part: part('in/e.json', missing, { compression: 'none', chunks: 1, index: 5 }),
      }),
    ).rejects.toThrow(
      'Bad record in s3://landing/in/e.json line 1, column "id": missing NOT NULL column "id" (an absent field loads as NULL)',
    );
  });
});
