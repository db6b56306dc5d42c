import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalText } from '../../../../../local/redshift/commands/copy/parquetRecords.ts';
import { executeRedshiftCommand } from '../../../../../local/redshift/commands/index.ts';
import type { CommandHarness } from './commandHarness.ts';
import { startHarness } from './commandHarness.ts';

const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
let h: CommandHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.bucket('pqt');
  await h.client.query(`
    CREATE TABLE amounts (id integer, small numeric(5,2), mid numeric(15,4), huge numeric(38,10), at timestamptz, day date);
    INSERT INTO amounts VALUES
      (1, -999.99, 12345678901.2345, -1234567890123456789012345678.0123456789, '2024-01-02 03:04:05.123456+02', '1969-07-20'),
      (2, 0.01, -0.0001, 9999999999999999999999999999.9999999999, '1900-01-01 00:00:00+00', '2000-02-29'),
      (3, NULL, NULL, NULL, NULL, NULL),
      (4, 0, 99999999999.9999, 0.0000000001, '2038-01-19 03:14:08+00', '0999-12-31');
    CREATE TABLE many (n integer, label varchar(10));
    INSERT INTO many SELECT g, 'r' || g FROM generate_series(1, 70000) g;
  `);
});
afterAll(async () => {
  await h?.close();
});

const run = (sql: string, s3 = h.s3.client) => executeRedshiftCommand(sql, h.ctx({ s3 }));

describe('COPY FORMAT AS PARQUET', () => {
  it('keeps decimals exact beyond a double (38 digits), timestamps to the microsecond', async () => {
    await run(`UNLOAD ('select * from amounts') TO 's3://pqt/amounts/' ${ROLE} FORMAT PARQUET MANIFEST`);
    await h.client.query('CREATE TABLE amounts_back (LIKE amounts)');
    const res = await run(
      `COPY amounts_back FROM 's3://pqt/amounts/manifest' ${ROLE} MANIFEST FORMAT AS PARQUET`,
    );
    expect(res.rows).toBe(4);
    const back = await h.client.query('SELECT * FROM amounts_back ORDER BY id');
    const orig = await h.client.query('SELECT * FROM amounts ORDER BY id');
    expect(back.rows).toEqual(orig.rows);
    expect(back.rows[0].huge).toBe('-1234567890123456789012345678.0123456789');
  });

  it('reads the footer and then one row group at a time with ranged GETs', async () => {
    await run(
      `UNLOAD ('select * from many order by n') TO 's3://pqt/many/' ${ROLE} FORMAT PARQUET PARALLEL OFF`,
    );
    const [key] = await h.keys('pqt', 'many/');
    expect(key).toBe('many/000.parquet');
    const size = (await h.get('pqt', key as string)).length;

    const gets: (string | undefined)[] = [];
    const s3 = h.s3Watching((command, input) => {
      if (command === 'GetObjectCommand') gets.push((input.Range as string | undefined) ?? 'whole object');
    });
    try {
      await h.client.query('CREATE TABLE many_back (LIKE many)');
      const res = await run(`COPY many_back FROM 's3://pqt/many/' ${ROLE} FORMAT AS PARQUET`, s3);
      expect(res.rows).toBe(70000);
    } finally {
      s3.destroy();
    }
    const diff = await h.client.query(
      '(SELECT * FROM many EXCEPT SELECT * FROM many_back) UNION ALL (SELECT * FROM many_back EXCEPT SELECT * FROM many)',
    );
    expect(diff.rows).toEqual([]);
    // Two row groups (65,536 + 4,464 rows): the footer, then each group's bytes; never the whole object.
    expect(gets).not.toContain('whole object');
    const lengths = gets.map((r) => {
      const [a, b] = (r as string).replace('bytes=', '').split('-').map(Number);
      return (b as number) - (a as number) + 1;
    });
    expect(gets.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...lengths)).toBeLessThan(size);
  });
});

describe('decimalText', () => {
  it('turns the physical value of a DECIMAL into exact text', () => {
    expect(decimalText(-99999, 2)).toBe('-999.99');
    expect(decimalText(1, 4)).toBe('0.0001');
    expect(decimalText(-1n, 10)).toBe('-0.0000000001');
    expect(decimalText(123456789012345678901234567890n, 10)).toBe('12345678901234567890.1234567890');
    expect(decimalText(Uint8Array.from([0xff, 0xff, 0xfe]), 1)).toBe('-0.2');
    expect(decimalText(Uint8Array.from([0x00, 0x30, 0x39]), 0)).toBe('12345');
    expect(decimalText(5, -2)).toBe('500');
  });
});
