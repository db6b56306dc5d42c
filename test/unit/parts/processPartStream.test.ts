import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { type PartProcessingOptions, processPartStream } from '../../../src/parts/processPartStream.ts';
import { createRecordCounter } from '../../../src/parts/recordCounter.ts';

/** Feeds `bytes` in small chunks, so that records and multibyte characters straddle chunks. */
function source(bytes: Uint8Array, chunk = 7): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(Buffer.from(bytes.subarray(i, i + chunk)));
  return Readable.from(chunks);
}

function sink() {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const csv = 'salesid,eventname,pricepaid,flag\n1,"Hello, ""world""",12.50,t\n2,"multi\nline é",,f\n3,"",7,\n';
const schema = [
  { name: 'salesid', type: 'integer' },
  { name: 'eventname', type: 'character varying' },
  { name: 'pricepaid', type: 'numeric' },
  { name: 'flag', type: 'boolean' },
];

/** Plain CSV with a header to JSON lines typed by `schema`. */
const toJsonl = {
  format: 'csv',
  compression: 'none',
  convert: 'csv-to-jsonl',
  header: true,
  schema,
} as const satisfies Omit<PartProcessingOptions, 'label'>;

async function run(bytes: Uint8Array, options: Omit<PartProcessingOptions, 'label'>) {
  const out = sink();
  const stats = await processPartStream(source(bytes), out.stream, {
    label: 's3://rt-staging/r/0000_part_00',
    ...options,
  });
  return { stats, out: out.bytes() };
}

describe('Function: processPartStream', () => {
  it('copies a gzip CSV part unchanged, counting records (header included) and hashing the output', async () => {
    const gz = gzipSync(csv);
    const { stats, out } = await run(gz, {
      format: 'csv',
      compression: 'gzip',
      header: true,
      expectedRecords: 4,
      expectedBytes: gz.length,
    });
    expect(out.equals(gz)).toBe(true);
    expect(stats).toEqual({
      records: 4,
      rows: 3,
      bytesIn: gz.length,
      bytesOut: gz.length,
      sha256: sha(gz),
      verified: 'records',
    });
  });

  it('recompresses zstd to gzip', async () => {
    const zst = zstdCompressSync(Buffer.from(csv));
    const { stats, out } = await run(zst, {
      format: 'csv',
      compression: 'zstd',
      outputCompression: 'gzip',
      header: true,
      expectedRecords: 4,
    });
    expect(gunzipSync(out).toString()).toBe(csv);
    expect(stats).toMatchObject({
      records: 4,
      rows: 3,
      bytesIn: zst.length,
      bytesOut: out.length,
      sha256: sha(out),
    });
  });

  it('keeps bytes, counts and re-encoded output exact across many input batches and codec chunks', async () => {
    // Prepare: over 1 MB of gzip (several 256 KiB input batches, several codec chunks each way)
    // fed in 16 KiB pieces, as an S3 body arrives; numbers scrambled so that gzip keeps it large.
    const rows = Array.from(
      { length: 120_000 },
      (_, i) => `${i},"name ${(i * 2654435761) % 999_983}, ""q""",${(i * 40503) % 1_000_003}.${i % 97}\n`,
    );
    const big = `id,name,price\n${rows.join('')}`;
    const gz = gzipSync(big, { level: 9 });
    const zst = zstdCompressSync(Buffer.from(big));
    const runPieces = async (input: Buffer, extra: Omit<PartProcessingOptions, 'label' | 'format'>) => {
      const out = sink();
      const stats = await processPartStream(source(input, 16 * 1024), out.stream, {
        label: 'p',
        format: 'csv',
        header: true,
        expectedRecords: 120_001,
        ...extra,
      });
      return { stats, out: out.bytes() };
    };

    // Act
    const kept = await runPieces(gz, { compression: 'gzip', expectedBytes: gz.length });
    const toZstd = await runPieces(gz, { compression: 'gzip', outputCompression: 'zstd' });
    const toGzip = await runPieces(zst, { compression: 'zstd', outputCompression: 'gzip', gzipLevel: 1 });

    // Assess
    expect(gz.length).toBeGreaterThan(4 * 256 * 1024);
    expect(kept.out.equals(gz)).toBe(true);
    expect(kept.stats).toMatchObject({ records: 120_001, bytesIn: gz.length, sha256: sha(gz) });
    expect(zstdDecompressSync(toZstd.out).toString()).toBe(big);
    expect(toZstd.stats).toMatchObject({
      records: 120_001,
      bytesOut: toZstd.out.length,
      sha256: sha(toZstd.out),
    });
    expect(toGzip.out.equals(gzipSync(big, { level: 1 }))).toBe(true);
    expect(toGzip.stats).toMatchObject({ records: 120_001, bytesIn: zst.length, sha256: sha(toGzip.out) });
  });

  it('writes re-encoded output at the requested gzip and zstd levels', async () => {
    // Compressible enough that the levels differ in size.
    const big = `id,label\n${Array.from({ length: 20_000 }, (_, i) => `${i},label ${i % 97} ${'x'.repeat(i % 13)}\n`).join('')}`;
    const input = zstdCompressSync(big);
    const options = { format: 'csv', compression: 'zstd', header: true } as const;
    const gz1 = await run(input, { ...options, outputCompression: 'gzip', gzipLevel: 1 });
    const gz9 = await run(input, { ...options, outputCompression: 'gzip', gzipLevel: 9 });
    const gzDefault = await run(input, { ...options, outputCompression: 'gzip' });
    expect(gz1.out.equals(gzipSync(big, { level: 1 }))).toBe(true);
    expect(gz9.out.equals(gzipSync(big, { level: 9 }))).toBe(true);
    expect(gzDefault.out.equals(gzipSync(big, { level: 6 }))).toBe(true);
    expect(gz1.out.length).toBeGreaterThan(gz9.out.length);
    expect(gunzipSync(gz1.out).toString()).toBe(big);

    const gzInput = gzipSync(big);
    const z1 = await run(gzInput, {
      ...options,
      compression: 'gzip',
      outputCompression: 'zstd',
      zstdLevel: 1,
    });
    const z19 = await run(gzInput, {
      ...options,
      compression: 'gzip',
      outputCompression: 'zstd',
      zstdLevel: 19,
    });
    expect(z1.out.length).toBeGreaterThan(z19.out.length);
    expect(zstdDecompressSync(z19.out).toString()).toBe(big);
    expect(z19.stats).toMatchObject({
      records: 20_001,
      rows: 20_000,
      bytesOut: z19.out.length,
      sha256: sha(z19.out),
    });

    await expect(run(input, { ...options, outputCompression: 'gzip', gzipLevel: 10 })).rejects.toThrow(
      's3://rt-staging/r/0000_part_00: gzip level 10 is not an integer from 1 to 9.',
    );
  });

  it('converts CSV to JSON lines typed by the manifest schema, then zstd-compresses', async () => {
    const { stats, out } = await run(gzipSync(csv), {
      format: 'csv',
      compression: 'gzip',
      outputCompression: 'zstd',
      convert: 'csv-to-jsonl',
      header: true,
      schema,
      expectedRecords: 4,
    });
    expect(zstdDecompressSync(out).toString()).toBe(
      '{"salesid":1,"eventname":"Hello, \\"world\\"","pricepaid":"12.50","flag":true}\n' +
        '{"salesid":2,"eventname":"multi\\nline é","pricepaid":null,"flag":false}\n' +
        '{"salesid":3,"eventname":"","pricepaid":"7","flag":null}\n',
    );
    expect(stats).toMatchObject({ records: 4, rows: 3, sha256: sha(out) });
  });

  it('names JSON lines after the header, every value a string, when the manifest has no schema', async () => {
    const { stats, out } = await run(Buffer.from(csv), {
      format: 'csv',
      compression: 'none',
      convert: 'csv-to-jsonl',
      header: true,
      expectedRecords: 4,
    });
    expect(out.toString()).toBe(
      '{"salesid":"1","eventname":"Hello, \\"world\\"","pricepaid":"12.50","flag":"t"}\n' +
        '{"salesid":"2","eventname":"multi\\nline é","pricepaid":null,"flag":"f"}\n' +
        '{"salesid":"3","eventname":"","pricepaid":"7","flag":null}\n',
    );
    expect(stats).toMatchObject({ records: 4, rows: 3, sha256: sha(out) });
  });

  it('rejects csv-to-jsonl with neither a schema nor a header, naming the part', async () => {
    await expect(
      run(Buffer.from('1,a\n'), { format: 'csv', compression: 'none', convert: 'csv-to-jsonl' }),
    ).rejects.toMatchObject({
      name: 'PartProcessingError',
      message:
        's3://rt-staging/r/0000_part_00: csv-to-jsonl needs column names: the manifest has no schema (use MANIFEST VERBOSE) and the part has no header.',
    });
  });

  it('fails csv-to-jsonl on a part that ends inside a quoted field, naming the part and line', async () => {
    await expect(run(Buffer.from(`${csv}4,"never closed,1,t\n`), toJsonl)).rejects.toMatchObject({
      name: 'PartProcessingError',
      message:
        "s3://rt-staging/r/0000_part_00: line 6: a quoted field is never closed (the part ends inside it). The part is truncated or not UNLOAD's CSV; export it again.",
    });
  });

  it('rejects a header that does not match the schema', async () => {
    await expect(run(Buffer.from(csv.replace('flag', 'other')), toJsonl)).rejects.toMatchObject({
      name: 'PartProcessingError',
      message: expect.stringContaining('header (salesid, eventname, pricepaid, other) does not match'),
    });
  });

  it('throws PartProcessingError when the record count disagrees with the manifest', async () => {
    await expect(
      run(gzipSync(csv), { format: 'csv', compression: 'gzip', header: true, expectedRecords: 5 }),
    ).rejects.toMatchObject({
      name: 'PartProcessingError',
      message:
        's3://rt-staging/r/0000_part_00: found 4 records but the manifest says record_count 5 (header line included). The part is incomplete or was written with different options; run the export again.',
    });
  });

  it('throws PartProcessingError on corrupt gzip and on a truncated object', async () => {
    const gz = gzipSync(csv);
    await expect(
      run(gz.subarray(0, gz.length - 10), { format: 'csv', compression: 'gzip' }),
    ).rejects.toMatchObject({
      name: 'PartProcessingError',
      message: expect.stringMatching(/^s3:\/\/rt-staging\/r\/0000_part_00: could not be processed \(/),
    });
    await expect(
      run(Buffer.from(csv), {
        format: 'csv',
        compression: 'none',
        expectedBytes: Buffer.byteLength(csv) + 1,
      }),
    ).rejects.toThrowError(/read \d+ bytes but the manifest says content_length/);
  });

  it('counts rows of a Parquet part from its footer', async () => {
    const parquet = Buffer.from(
      parquetWriteBuffer({
        columnData: [{ name: 'id', data: Int32Array.from({ length: 1000 }, (_, i) => i), type: 'INT32' }],
      }),
    );
    const { stats, out } = await run(parquet, {
      format: 'parquet',
      compression: 'none',
      expectedRecords: 1000,
    });
    expect(out.equals(parquet)).toBe(true);
    expect(stats).toMatchObject({ records: 1000, rows: 1000, verified: 'records' });
  });

  it('copies bzip2 parts verified by size only, trusting the manifest count', async () => {
    const bytes = Buffer.from('BZh9 not decoded here');
    const { stats } = await run(bytes, {
      format: 'csv',
      compression: 'bzip2',
      expectedRecords: 3,
      expectedBytes: bytes.length,
    });
    expect(stats).toMatchObject({ records: 3, rows: 3, verified: 'bytes', sha256: sha(bytes) });
  });

  it('handles an empty part', async () => {
    const { stats } = await run(gzipSync(''), { format: 'csv', compression: 'gzip', expectedRecords: 0 });
    expect(stats).toMatchObject({ records: 0, rows: 0 });
  });
});

describe('Function: createRecordCounter', () => {
  const count = (format: 'csv' | 'text' | 'json', text: string, withEscape = false) => {
    const c = createRecordCounter(format, { escape: withEscape });
    for (const ch of Buffer.from(text)) c.write(Uint8Array.of(ch));
    return c.end();
  };
  it.each([
    ['csv', 'a,b\n"x\ny",z\n', false, 2],
    ['csv', 'a\n\nb', false, 3],
    ['csv', '', false, 0],
    ['text', 'a|b\\\nc\nd|e\n', true, 2],
    ['text', 'a|b\\\\\nc\n', true, 2],
    ['text', 'a|b\nc', false, 2],
    ['json', '{"a":"x\\ny"}\n{"a":1}\n', false, 2],
  ] as const)('%s %j (escape %s) -> %i records', (format, text, withEscape, n) => {
    expect(count(format, text, withEscape)).toBe(n);
  });
});

describe('Function: processPartStream (UNLOAD DELIMITER)', () => {
  it("counts records with the part's delimiter: a quote opens a field only after it", async () => {
    // Two records with `|`; read with `,` the quote would be text and the LF inside it a third.
    const bytes = Buffer.from('x|"multi\nline"\n2|3\n');
    const { stats } = await run(gzipSync(bytes), {
      format: 'csv',
      compression: 'gzip',
      delimiter: '|',
      expectedRecords: 2,
    });
    expect(stats).toMatchObject({ records: 2, verified: 'records', sha256: sha(gzipSync(bytes)) });
  });
});
