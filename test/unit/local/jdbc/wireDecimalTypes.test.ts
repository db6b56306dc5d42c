import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedshiftWire, startRedshiftWire } from '../../../../local/jdbc/startRedshiftWire.ts';
import { testPythonFor } from '../../../helpers/pythonEnv.ts';
import { createTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.ts';
import { startTestS3, type TestS3 } from '../../../helpers/testS3.ts';
import { wireUrl } from '../../../helpers/wireUrl.ts';

const run = promisify(execFile);
const py = testPythonFor('test/unit/local/jdbc/wireDecimalTypes.test.ts');

/** PostgreSQL's type modifier of NUMERIC(p,s), as RowDescription carries it. */
const numericTypmod = (precision: number, scale: number) => ((precision << 16) | scale) + 4;

let db: TestDatabase;
let s3: TestS3;
let wire: RedshiftWire;

beforeAll(async () => {
  db = await createTestDatabase('wiredec');
  s3 = await startTestS3();
  wire = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint });
  // The guide's SALES columns (r_numeric_computations201.html): PRICEPAID and COMMISSION are DECIMAL(8,2).
  const setup = new pg.Client(db.url);
  await setup.connect();
  try {
    await setup.query(
      'create table sales (salesid integer, qtysold smallint, pricepaid decimal(8,2), commission decimal(8,2))',
    );
    await setup.query('insert into sales values (1, 4, 728.00, 109.20), (2, 2, 12345.00, 1851.75)');
  } finally {
    await setup.end();
  }
});

afterAll(async () => {
  await wire?.stop();
  await s3?.stop();
  await db?.drop();
});

const wireUrlOf = (): string => wireUrl(db.url, wire);

async function withClient<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(wireUrlOf());
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

describe('DECIMAL result types over the wire endpoint (r_numeric_computations201.html)', () => {
  it('node-postgres, simple protocol: PRICEPAID / COMMISSION is DECIMAL(17,9) = 6.666666667, as over the Data API', async () => {
    // "Precision = 8-2 + 2 + max(4,2+8-2+1) = 17, Scale = max(4,2+8-2+1) = 9, Result = DECIMAL(17,9)".
    const r = await withClient((c) =>
      c.query({ text: 'select pricepaid / commission from sales where salesid = 1', rowMode: 'array' }),
    );
    expect(r.rows).toEqual([['6.666666667']]);
    expect(r.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier])).toEqual([
      ['?column?', 1700, numericTypmod(17, 9)],
    ]);
  });

  it('node-postgres, extended protocol with a $1 parameter: the same type and value; SUM is DECIMAL(38,2)', async () => {
    const r = await withClient((c) =>
      c.query({
        text: 'select pricepaid / commission as ratio, sum(pricepaid) over () as total from sales where salesid = $1',
        values: [1],
        rowMode: 'array',
      }),
    );
    expect(r.rows).toEqual([['6.666666667', '728.00']]);
    expect(r.fields[0]?.dataTypeModifier).toBe(numericTypmod(17, 9));
    const s = await withClient((c) =>
      c.query({ text: 'select sum(pricepaid) from sales where salesid > $1', values: [0], rowMode: 'array' }),
    );
    // r_SUM.html: the SUM of a DECIMAL(p,s) column is DECIMAL(38,s).
    expect(s.rows).toEqual([['13073.00']]);
    expect(s.fields.map((f) => [f.name, f.dataTypeModifier])).toEqual([['sum', numericTypmod(38, 2)]]);
  });

  it("inside the client's transaction the probe neither joins nor blocks it", async () => {
    await withClient(async (c) => {
      await c.query('begin');
      await c.query('create table wire_probe_tx (n int)');
      const r = await c.query({
        text: 'select commission / pricepaid from sales where salesid = 1',
        rowMode: 'array',
      });
      expect(r.fields[0]?.dataTypeModifier).toBe(numericTypmod(17, 9));
      expect(r.rows).toEqual([['0.150000000']]);
      // The client's own lock on SALES: the side probe gives up, the query still answers.
      await c.query('lock table sales in access exclusive mode');
      const locked = await c.query({
        text: 'select pricepaid / commission from sales where salesid = 1',
        rowMode: 'array',
      });
      expect(Number(locked.rows[0]?.[0])).toBeCloseTo(6.666666667, 9);
      await c.query('rollback');
      // The rollback undid the client's CREATE: nothing of the probe committed it.
      const exists = await c.query("select to_regclass('wire_probe_tx') is null as gone");
      expect(exists.rows).toEqual([{ gone: true }]);
    });
  });

  it('CREATE TABLE AS over the wire gives the new column DECIMAL(17,9) (r_CREATE_TABLE_AS.html)', async () => {
    const columns = await withClient(async (c) => {
      await c.query('begin');
      await c.query('create table wire_ratio as select salesid, pricepaid / commission as ratio from sales');
      const r = await c.query(
        "select column_name, numeric_precision, numeric_scale from information_schema.columns where table_name = 'wire_ratio' order by ordinal_position",
      );
      const value = await c.query('select ratio::text from wire_ratio where salesid = 1');
      await c.query('rollback');
      return { columns: r.rows, value: value.rows };
    });
    expect(columns).toEqual({
      columns: [
        { column_name: 'salesid', numeric_precision: 32, numeric_scale: 0 },
        { column_name: 'ratio', numeric_precision: 17, numeric_scale: 9 },
      ],
      value: [{ ratio: '6.666666667' }],
    });
  });

  it.skipIf(!py.ok)('psycopg2 reads Decimal 6.666666667 with precision 17 and scale 9', async () => {
    const python = py.ok ? py.python : '';
    const url = new URL(db.url);
    const user = decodeURIComponent(url.username || 'postgres');
    const script = `
import json, sys
import psycopg2
host, port, database, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
pc = psycopg2.connect(host=host, port=port, dbname=database, user=user, password="x", sslmode="disable")
cur = pc.cursor()
cur.execute("select pricepaid / commission, pricepaid * commission from sales where salesid = %s", (1,))
row = cur.fetchone()
cols = [[d.name, d.type_code, d.precision, d.scale] for d in cur.description]
pc.close()
print(json.dumps({"row": [str(v) for v in row], "cols": cols}))
`;
    const { stdout } = await run(python, ['-c', script, wire.host, String(wire.port), db.name, user], {
      env: { PATH: process.env.PATH },
    });
    // The page's table: * gives DECIMAL(p1+p2+1, s1+s2) = DECIMAL(17,4).
    expect(JSON.parse(stdout)).toEqual({
      row: ['6.666666667', '79497.6000'],
      cols: [
        ['?column?', 1700, 17, 9],
        ['?column?', 1700, 17, 4],
      ],
    });
  });
});
