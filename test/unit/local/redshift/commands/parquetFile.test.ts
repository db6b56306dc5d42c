import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputFile } from '../../../../../local/redshift/commands/OutputFile.ts';
import { BinaryCopyParser } from '../../../../../local/redshift/commands/unload/binaryCopyRows.ts';
import { describeQuery } from '../../../../../local/redshift/commands/unload/columns.ts';
import { CopyTextRowParser } from '../../../../../local/redshift/commands/unload/copyTextRows.ts';
import {
  binaryReadable,
  ParquetFileWriter,
} from '../../../../../local/redshift/commands/unload/parquetFile.ts';
import { copyToBytes } from '../../../../helpers/copyToBytes.ts';
import type { TestDatabase } from '../../../../helpers/testDatabase.ts';
import { createTestDatabase } from '../../../../helpers/testDatabase.ts';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('pqw');
  client = new pg.Client(db.url);
  await client.connect();
  await client.query(`SET TimeZone = 'UTC'`);
  await client.query(`
    CREATE TABLE every (b boolean, s smallint, i integer, l bigint, r real, d double precision,
      small numeric(5,2), money numeric(15,4), huge numeric(38,10), day date, at timestamp, atz timestamptz,
      code char(4), name varchar(20), note text, loose numeric, j json, iv interval, u uuid, raw bytea);
    INSERT INTO every VALUES
      (true, -32768, -2147483648, -9223372036854775808, 1.5, -2.25e-300, -999.99, 12345678901.2345,
       '-1234567890123456789012345678.0123456789', '1969-07-20', '1969-07-20 20:17:40.5', '2024-01-02 03:04:05+02',
       'ab', 'ünïcødé ✓', E'multi\\nline', 1.000000000000000000001, '{"a":[1,2]}', '1 day 02:00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff'),
      (false, 32767, 2147483647, 9223372036854775807, 'NaN', 'Infinity', 0.01, -0.0001,
       '9999999999999999999999999999.9999999999', '2000-01-01', '2000-01-01 00:00:00', '1999-12-31 23:59:59.999999+00',
       'abcd', '', '', -5, 'null', '-3 months', NULL, '\\x'),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (true, 0, 0, 0, 0, 0, 0, 0, 0, '0999-12-31', '1900-03-01 12:00:00.000001', '2038-01-19 03:14:08+00',
       '    ', ' ', 'x', 0, '[]', '0', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', NULL);
  `);
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const copyBytes = (sql: string) => copyToBytes(client, sql);

/** An OutputFile that keeps the bytes in memory. */
function memoryFile() {
  const chunks: Buffer[] = [];
  const file = {
    records: 0,
    size: 0,
    write: async (b: Buffer) => {
      chunks.push(Buffer.from(b));
      file.size += b.length;
    },
  };
  return { file: file as unknown as OutputFile, bytes: () => Buffer.concat(chunks) };
}

const QUERY = 'select * from every';

/** The Parquet file ParquetFileWriter makes of `query`'s rows as PostgreSQL's text COPY (the PARTITION BY path). */
async function writtenFromText(columns: Awaited<ReturnType<typeof describeQuery>>, query: string) {
  const out = memoryFile();
  const w = new ParquetFileWriter(columns, out.file, 1 << 20);
  const parser = new CopyTextRowParser();
  for (const row of [...parser.push(await copyBytes(`COPY (${query}) TO STDOUT`)), ...parser.end()])
    await w.writeRow(row);
  await w.close();
  return out;
}

describe('ParquetFileWriter', () => {
  it('writes the same bytes from binary COPY fields as from text values (every type, NULLs, exact decimals)', async () => {
    const columns = await describeQuery(client, QUERY);
    const fromText = await writtenFromText(columns, QUERY);

    const names = columns.map((_, i) => `c${i + 1}`);
    const select = names.map((n, i) => (binaryReadable(columns[i] as never) ? n : `${n}::text`)).join(', ');
    const binary = await copyBytes(
      `COPY (SELECT ${select} FROM (${QUERY}) AS q(${names.join(', ')})) TO STDOUT (FORMAT binary)`,
    );
    for (const chunkSize of [3, 1 << 20]) {
      const fromBinary = memoryFile();
      const bw = new ParquetFileWriter(columns, fromBinary.file, 1 << 20);
      const bp = new BinaryCopyParser(columns.length);
      for (let i = 0; i < binary.length; i += chunkSize)
        bp.push(binary.subarray(i, i + chunkSize), (b, s, l) => bw.addBinaryRow(b, s, l));
      expect(bp.complete).toBe(true);
      await bw.close();
      expect(fromBinary.bytes().equals(fromText.bytes())).toBe(true);
      expect(fromBinary.file.records).toBe(4);
    }

    const bytes = fromText.bytes();
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(file);
    expect(meta.schema.slice(1).map((e) => [e.name, e.type, e.converted_type ?? null])).toEqual([
      ['b', 'BOOLEAN', null],
      ['s', 'INT32', 'INT_16'],
      ['i', 'INT32', null],
      ['l', 'INT64', null],
      ['r', 'FLOAT', null],
      ['d', 'DOUBLE', null],
      ['small', 'FIXED_LEN_BYTE_ARRAY', 'DECIMAL'],
      ['money', 'FIXED_LEN_BYTE_ARRAY', 'DECIMAL'],
      ['huge', 'FIXED_LEN_BYTE_ARRAY', 'DECIMAL'],
      ['day', 'INT32', 'DATE'],
      ['at', 'INT64', 'TIMESTAMP_MICROS'],
      ['atz', 'INT64', 'TIMESTAMP_MICROS'],
      ['code', 'BYTE_ARRAY', 'UTF8'],
      ['name', 'BYTE_ARRAY', 'UTF8'],
      ['note', 'BYTE_ARRAY', 'UTF8'],
      ['loose', 'BYTE_ARRAY', 'UTF8'],
      ['j', 'BYTE_ARRAY', 'UTF8'],
      ['iv', 'BYTE_ARRAY', 'UTF8'],
      ['u', 'BYTE_ARRAY', 'UTF8'],
      ['raw', 'BYTE_ARRAY', 'UTF8'],
    ]);
    expect(meta.row_groups[0]?.columns[0]?.meta_data?.codec).toBe('SNAPPY');
    const rows = await parquetReadObjects({ file, utf8: true });
    expect(rows[0]).toMatchObject({
      b: true,
      s: -32768,
      i: -2147483648,
      l: -9223372036854775808n,
      r: 1.5,
      d: -2.25e-300,
      small: -999.99,
      day: new Date('1969-07-20T00:00:00Z'),
      at: new Date('1969-07-20T20:17:40.500Z'),
      atz: new Date('2024-01-02T01:04:05Z'),
      code: 'ab  ',
      name: 'ünïcødé ✓',
      note: 'multi\nline',
      loose: '1.000000000000000000001',
      j: '{"a":[1,2]}',
      iv: '1 day 02:00:00',
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      raw: '\\x00ff',
    });
    expect(rows[1]).toMatchObject({ r: Number.NaN, d: Number.POSITIVE_INFINITY, small: 0.01 });
    expect(Object.values(rows[2] as object).every((v) => v === null)).toBe(true);
    expect(rows[3]).toMatchObject({ day: new Date('0999-12-31T00:00:00Z'), code: '    ', name: ' ' });
  });

  it('converts decimals and timestamps from binary COPY exactly as from their text, over 20,000 values of both signs', async () => {
    // The binary path converts in doubles and 16-bit steps; the text path in BigInt: independent.
    const query = `select
        (((g * 7919) % 200003 - 100001)::numeric * 12345.6789 / 1000)::numeric(15,4) as a,
        ((((g * 104729) % 2000003) - 1000001)::numeric / 100)::numeric(12,2) as b,
        ((g * 31) % 199999 - 99999)::numeric(5,0) as c,
        ((((g * 7) % 1999) - 999)::numeric / 1000)::numeric(15,15) as d,
        ((g::numeric * 999999937) % 999999999999999 * (case when g % 2 = 0 then -1 else 1 end))::numeric(15,0) as e,
        timestamp '1000-01-01' + ((g::bigint * 2654435761) % 283824000000) * interval '1 second'
          + ((g * 7919) % 1000000) * interval '1 microsecond' as t
      from generate_series(1, 20000) g`;
    const columns = await describeQuery(client, query);
    const fromText = await writtenFromText(columns, query);
    const fromBinary = memoryFile();
    const bw = new ParquetFileWriter(columns, fromBinary.file, 1 << 20);
    const bp = new BinaryCopyParser(columns.length);
    bp.push(await copyBytes(`COPY (${query}) TO STDOUT (FORMAT binary)`), (b, st, l) =>
      bw.addBinaryRow(b, st, l),
    );
    await bw.close();
    expect(fromBinary.file.records).toBe(20000);
    expect(fromBinary.bytes().equals(fromText.bytes())).toBe(true);
    // Both signs and the extremes of each column were there to convert.
    const { rows } = await client.query(
      `select min(a) < 0 and max(a) > 0 as a, min(b) < 0 and max(b) > 0 as b, min(e) < -1e13 and max(e) > 1e13 as e,
         min(t) < '1500-01-01' and max(t) > '9000-01-01' as t from (${query}) q`,
    );
    expect(rows[0]).toEqual({ a: true, b: true, e: true, t: true });
  });

  it('cuts row groups at the row group size', async () => {
    const columns = await describeQuery(
      client,
      'select g as n, repeat($$x$$, 100) as t from generate_series(1, 5000) g',
    );
    const out = memoryFile();
    const w = new ParquetFileWriter(columns, out.file, 64 * 1024);
    const parser = new CopyTextRowParser();
    for (const row of [
      ...parser.push(
        await copyBytes(
          `COPY (select g as n, repeat('x', 100) as t from generate_series(1, 5000) g) TO STDOUT`,
        ),
      ),
      ...parser.end(),
    ])
      await w.writeRow(row);
    await w.close();
    const bytes = out.bytes();
    const meta = parquetMetadata(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([1024, 1024, 1024, 1024, 904]);
    expect(Number(meta.num_rows)).toBe(5000);
  });
});
