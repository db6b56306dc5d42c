import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRedshiftCommand } from '../../../../../local/redshift/commands/index.ts';
import { testPythonFor } from '../../../../helpers/pythonEnv.ts';
import type { CommandHarness } from './commandHarness.ts';
import { startHarness } from './commandHarness.ts';

/**
 * UNLOAD PARQUET files carry what readers use to skip data: min/max/null_count statistics per
 * column chunk and dictionary pages for repetitive columns. pyarrow reads the footer; each
 * chunk's bounds are checked against pyarrow's own min/max of that row group's values, and
 * DuckDB reads the rows back as the independent oracle of the content.
 */
const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
const python = testPythonFor('unloadParquetFooter.test.ts');
const ROWS = 150_000;

const FOOTER = `
import json, sys
import pyarrow.parquet as pq, pyarrow.compute as pc, duckdb
out = []
for path in sys.argv[1:]:
    f = pq.ParquetFile(path)
    for g in range(f.metadata.num_row_groups):
        rg = f.metadata.row_group(g)
        table = f.read_row_group(g)
        for c in range(rg.num_columns):
            col = rg.column(c)
            name = col.path_in_schema
            values = table.column(name)
            s = col.statistics
            mm = pc.min_max(values).as_py() if col.physical_type != 'BOOLEAN' else {'min': None, 'max': None}
            out.append({
                'file': path, 'group': g, 'column': name,
                'has_stats': s is not None, 'has_min_max': bool(s and s.has_min_max),
                'null_count': s.null_count if s else None, 'nulls': values.null_count,
                'min': str(s.min) if s and s.has_min_max else None, 'max': str(s.max) if s and s.has_min_max else None,
                'value_min': str(mm['min']), 'value_max': str(mm['max']),
                'dictionary': col.has_dictionary_page, 'encodings': list(col.encodings),
            })
con = duckdb.connect()
files = ', '.join("'" + p + "'" for p in sys.argv[1:])
rows = con.execute(f"select count(*), count(distinct id), sum(qty), sum(price)::varchar, count(note), min(region), max(sold_at)::varchar from read_parquet([{files}])").fetchone()
print(json.dumps({'chunks': out, 'duckdb': [str(v) for v in rows]}))
`;

let h: CommandHarness;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(join(tmpdir(), 'rt-pqfooter-'));
  await h.bucket('pqstats');
  await h.client.query(`CREATE TABLE stats_src (id integer, region varchar(20), qty smallint, price numeric(12,2),
    big bigint, sold_at timestamp, day date, ratio double precision, flag boolean, note varchar(60),
    same varchar(5), nothing integer)`);
  await h.client.query(
    `INSERT INTO stats_src SELECT g, CASE WHEN g % 13 = 0 THEN NULL ELSE 'region-' || (g % 7) END, (g % 10) - 3,
       round(((g * 7919) % 100000) / 3.0 - 9000, 2), g::bigint * -1000003, timestamp '2008-01-01' + g * interval '37 second',
       date '1999-12-30' + (g % 400), CASE WHEN g % 5 = 0 THEN NULL ELSE (g % 1000) / 8.0 - 60 END, g % 3 = 0,
       'note ' || g || ' ' || md5(g::text), 'same', NULL
     FROM generate_series(1, $1) g`,
    [ROWS],
  );
});
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!python.ok)('UNLOAD PARQUET footer', () => {
  it('every column chunk has min/max/null_count matching its values; repetitive columns have dictionary pages', async () => {
    await executeRedshiftCommand(
      `UNLOAD ('select * from stats_src') TO 's3://pqstats/s/part_' ${ROLE} FORMAT PARQUET PARALLEL OFF`,
      h.ctx(),
    );
    const keys = await h.keys('pqstats', 's/');
    expect(keys.length).toBeGreaterThan(0);
    const paths: string[] = [];
    for (const [i, key] of keys.entries()) {
      const path = join(dir, `f${i}.parquet`);
      writeFileSync(path, await h.get('pqstats', key));
      paths.push(path);
    }
    const py = python as { python: string };
    const report = JSON.parse(execFileSync(py.python, ['-c', FOOTER, ...paths], { encoding: 'utf8' })) as {
      chunks: {
        column: string;
        has_stats: boolean;
        has_min_max: boolean;
        null_count: number | null;
        nulls: number;
        min: string | null;
        max: string | null;
        value_min: string;
        value_max: string;
        dictionary: boolean;
        encodings: string[];
      }[];
      duckdb: string[];
    };
    // Several row groups (65,536 rows each at most): statistics are per group, not one file-wide pair.
    expect(report.chunks.length).toBeGreaterThan(12 * 2);
    for (const c of report.chunks) {
      expect(c.has_stats, c.column).toBe(true);
      expect(c.null_count, c.column).toBe(c.nulls);
      if (c.column === 'flag') continue;
      if (c.column === 'nothing') {
        // All NULL: a count, no bounds.
        expect([c.has_min_max, c.null_count]).toEqual([false, c.nulls]);
        continue;
      }
      expect(c.has_min_max, c.column).toBe(true);
      if (c.column === 'note') {
        // Strings are cut to 16 bytes: a prefix bounds the min, a longer-by-one-byte-up cut bounds the max.
        expect(c.value_min.startsWith(c.min as string), c.column).toBe(true);
        expect((c.max as string) >= c.value_max.slice(0, 16), c.column).toBe(true);
      } else {
        expect([c.column, c.min, c.max]).toEqual([c.column, c.value_min, c.value_max]);
      }
    }
    const byColumn = (name: string) => report.chunks.filter((c) => c.column === name);
    // 'same' has one value: a one-entry dictionary, indices one bit wide.
    for (const name of ['region', 'qty', 'day', 'same']) {
      for (const c of byColumn(name)) {
        expect(c.dictionary, name).toBe(true);
        expect(c.encodings, name).toContain('PLAIN_DICTIONARY');
      }
    }
    // Distinct in every row: a dictionary would only add bytes.
    for (const name of ['id', 'note']) for (const c of byColumn(name)) expect(c.dictionary, name).toBe(false);

    const { rows } = await h.client.query(
      `select count(*)::text a, count(distinct id)::text b, sum(qty)::text c, sum(price)::text d,
         count(note)::text e, min(region) f, max(sold_at)::text g from stats_src`,
    );
    expect(report.duckdb).toEqual(Object.values(rows[0] as Record<string, string>));
  }, 120_000);
});
