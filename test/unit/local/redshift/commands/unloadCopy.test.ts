import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRedshiftCommand } from '../../../../../local/redshift/commands/index.ts';
import type { CommandHarness } from './commandHarness.ts';
import { startHarness } from './commandHarness.ts';

const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
let h: CommandHarness;

beforeAll(async () => {
  h = await startHarness();
  await h.bucket('data');
  await h.client.query(`
    CREATE TABLE sales (id integer NOT NULL, name varchar(40), price numeric(12,2), sold timestamp, ok boolean, day date);
    INSERT INTO sales VALUES
      (1, 'plain', 10.50, '2024-01-02 03:04:05', true, '2024-01-02'),
      (2, 'pipe|and,comma', 0.01, '2024-01-02 03:04:05.123456', false, '2024-02-29'),
      (3, '', -99.99, NULL, NULL, NULL),
      (4, NULL, 1234567890.12, '1999-12-31 23:59:59', true, '1999-12-31'),
      (5, 'quote " back\\slash', 0, '2024-06-01 00:00:00', false, '2024-06-01'),
      (6, E'new\nline', 5, '2024-06-01 00:00:00', true, '2024-06-01'),
      (7, 'ünïcødé ✓', 7.77, '2024-06-01 12:00:00', true, '2024-06-01');
  `);
});
afterAll(async () => {
  await h?.close();
});

const run = (sql: string) => executeRedshiftCommand(sql, h.ctx());

describe('UNLOAD', () => {
  it('writes pipe-delimited text, one file per slice with rows, and a verbose manifest', async () => {
    const res = await run(
      `UNLOAD ('select id, name from sales where id <= 4 order by id') TO 's3://data/t1/venue_' ${ROLE} MANIFEST VERBOSE`,
    );
    expect(res.rows).toBe(4);
    expect(await h.keys('data', 't1/')).toEqual([
      't1/venue_0000_part_00',
      't1/venue_0001_part_00',
      't1/venue_0002_part_00',
      't1/venue_0003_part_00',
      't1/venue_manifest',
    ]);
    expect((await h.get('data', 't1/venue_0000_part_00')).toString()).toBe('1|plain\n');
    expect((await h.get('data', 't1/venue_0002_part_00')).toString()).toBe('3|\n');
    expect((await h.get('data', 't1/venue_0003_part_00')).toString()).toBe('4|\n');
    const manifest = JSON.parse((await h.get('data', 't1/venue_manifest')).toString());
    expect(manifest.entries[0]).toEqual({
      url: 's3://data/t1/venue_0000_part_00',
      meta: { content_length: 8, record_count: 1 },
    });
    expect(manifest.schema.elements).toEqual([
      { name: 'id', type: { base: 'integer' } },
      { name: 'name', type: { base: 'character varying', length: 40 } },
    ]);
    expect(manifest.meta).toEqual({ content_length: 8 + 17 + 3 + 3, record_count: 4 });
    expect(manifest.author).toEqual({ name: 'Amazon Redshift', version: '1.0.0' });
  });

  it('refuses to overwrite without ALLOWOVERWRITE, overwrites with it', async () => {
    const sql = `UNLOAD ('select id from sales') TO 's3://data/t1/venue_' ${ROLE}`;
    await expect(run(sql)).rejects.toThrow(/Specified unload destination on S3 is not empty/);
    await expect(run(`${sql} ALLOWOVERWRITE PARALLEL OFF`)).resolves.toEqual({ rows: 7 });
  });

  it('PARALLEL OFF + CSV + HEADER + GZIP writes one ordered gzip file 000.gz', async () => {
    await run(
      `UNLOAD ('select id, name, price from sales order by id') TO 's3://data/t2/s_' ${ROLE} FORMAT CSV HEADER GZIP PARALLEL OFF`,
    );
    expect(await h.keys('data', 't2/')).toEqual(['t2/s_000.gz']);
    const text = gunzipSync(await h.get('data', 't2/s_000.gz')).toString();
    expect(text).toBe(
      'id,name,price\n1,plain,10.50\n2,"pipe|and,comma",0.01\n3,,-99.99\n4,,1234567890.12\n5,"quote "" back\\slash",0.00\n6,"new\nline",5.00\n7,ünïcødé ✓,7.77\n',
    );
  });

  it('rejects an outer LIMIT as Redshift does', async () => {
    await expect(run(`UNLOAD ('select * from sales limit 2') TO 's3://data/x/' ${ROLE}`)).rejects.toThrow(
      /Limit clause/,
    );
  });

  it('a missing bucket is an S3ServiceException', async () => {
    await expect(run(`UNLOAD ('select 1') TO 's3://nobucket/x/' ${ROLE}`)).rejects.toThrow(
      /S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket/,
    );
  });
});

describe('round trip UNLOAD -> COPY', () => {
  const cases: [string, string, string][] = [
    ['text ESCAPE', "ESCAPE NULL AS '\\\\N' GZIP", "ESCAPE NULL AS '\\\\N' GZIP"],
    ['CSV', "FORMAT CSV NULL AS '\\\\N' ZSTD", "CSV NULL AS '\\\\N' ZSTD"],
    ['JSON', 'FORMAT JSON BZIP2', "JSON 'auto' BZIP2"],
    ['PARQUET', 'FORMAT PARQUET', 'FORMAT AS PARQUET'],
  ];
  it.each(cases)(
    '%s keeps every value (NULL vs empty, delimiters, quotes, newlines, unicode)',
    async (label, unloadOpts, copyOpts) => {
      const prefix = `rt/${label.replace(/\W/g, '')}/`;
      const u = await run(
        `UNLOAD ('select * from sales') TO 's3://data/${prefix}' ${ROLE} ${unloadOpts} MANIFEST`,
      );
      expect(u.rows).toBe(7);
      const target = `back_${label.replace(/\W/g, '').toLowerCase()}`;
      await h.client.query(`CREATE TABLE ${target} (LIKE sales)`);
      const c = await run(`COPY ${target} FROM 's3://data/${prefix}manifest' ${ROLE} MANIFEST ${copyOpts}`);
      expect(c.rows).toBe(7);
      const diff = await h.client.query(
        `(SELECT * FROM sales EXCEPT ALL SELECT * FROM ${target}) UNION ALL (SELECT * FROM ${target} EXCEPT ALL SELECT * FROM sales)`,
      );
      expect(diff.rows).toEqual([]);
      const count = await h.client.query("SELECT current_setting('redshift.last_copy_count') AS n");
      expect(count.rows[0].n).toBe('7');
    },
  );
});

describe('COPY', () => {
  it('rejects bad rows into stl_load_errors and fails over MAXERROR, loading nothing', async () => {
    await h.client.query('CREATE TABLE items (id integer NOT NULL, qty smallint, label varchar(5))');
    await h.put('data', 'in/items.txt', '1|2|ok\nx|3|bad\n3|99999|big\n4|4|toolong\n5|5|fine\n');
    await expect(run(`COPY items FROM 's3://data/in/items.txt' ${ROLE} MAXERROR 2`)).rejects.toThrow(
      "Load into table 'items' failed. Check 'stl_load_errors' system table for details.",
    );
    expect((await h.client.query('SELECT count(*)::int AS n FROM items')).rows[0].n).toBe(0);
    const errs = await h.client.query(
      "SELECT trim(filename) AS f, line_number, trim(colname) AS col, err_code, trim(raw_line) AS raw FROM stl_load_errors WHERE filename LIKE 's3://data/in/%' ORDER BY line_number",
    );
    expect(errs.rows).toEqual([
      { f: 's3://data/in/items.txt', line_number: '2', col: 'id', err_code: 1207, raw: 'x|3|bad' },
      { f: 's3://data/in/items.txt', line_number: '3', col: 'qty', err_code: 1204, raw: '3|99999|big' },
      { f: 's3://data/in/items.txt', line_number: '4', col: 'label', err_code: 1204, raw: '4|4|toolong' },
    ]);
    const res = await run(`COPY items FROM 's3://data/in/items.txt' ${ROLE} MAXERROR 3`);
    expect(res.rows).toBe(2);
  });

  it('a missing prefix is an error naming it', async () => {
    await expect(run(`COPY items FROM 's3://data/nothing/here' ${ROLE}`)).rejects.toThrow(
      "The specified S3 prefix 'nothing/here' does not exist",
    );
  });
});
