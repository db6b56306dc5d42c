import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLocalSpark } from '../../local/emr/localSparkInstall.ts';
import type { LocalRunner, PreparedStateMachine } from '../../local/sfn/localRunner.ts';
import { loadJobDocument, runJobDocument } from '../helpers/loadJobDocument.ts';
import { testPythonFor } from '../helpers/pythonEnv.ts';
import type { TestS3 } from '../helpers/testS3.ts';
import { startTestStateMachine, type TestStateMachine } from '../helpers/testStateMachine.ts';

/**
 * Parquet written by real Spark (INT96 timestamps, spark.sql.parquet.outputTimestampType) and by
 * pyarrow (binary -> VARBYTE, struct and list -> SUPER), loaded through the load state machine
 * into a table createTable makes from the footer, and compared with DuckDB reading the same files.
 */
const python = testPythonFor('loadParquetRealWriters.test.ts');
const spark = findLocalSpark();

const SPARK_WRITE = `
import sys, datetime as dt, decimal
from pyspark.sql import SparkSession
from pyspark.sql.types import *
spark = (SparkSession.builder.master("local[1]").appName("rt-int96")
  .config("spark.sql.parquet.outputTimestampType", "INT96")
  .config("spark.sql.session.timeZone", "UTC")
  .config("spark.ui.enabled", "false").getOrCreate())
schema = StructType([StructField("id", LongType()), StructField("name", StringType()),
  StructField("amount", DecimalType(12, 2)), StructField("sold_at", TimestampType()), StructField("day", DateType())])
base = dt.datetime(1999, 12, 31, 23, 59, 59, 123456, tzinfo=dt.timezone.utc)
rows = [(i, None if i % 7 == 0 else f"n{i}", decimal.Decimal(i * 13) / 100,
  base + dt.timedelta(days=i * 3, microseconds=i * 7), (base + dt.timedelta(days=i)).date()) for i in range(500)]
spark.createDataFrame(rows, schema).coalesce(1).write.mode("overwrite").parquet(sys.argv[1])
spark.stop()
`;

const ARROW_WRITE = `
import sys, pyarrow as pa, pyarrow.parquet as pq
n = 300
t = pa.table({
  "id": pa.array(range(n), pa.int32()),
  "payload": pa.array([None if i % 11 == 0 else bytes([i % 256, 0, 255, (i * 7) % 256]) for i in range(n)], pa.binary()),
  "tags": pa.array([None if i % 13 == 0 else {"a": i, "b": f"x{i}"} for i in range(n)], pa.struct([("a", pa.int64()), ("b", pa.string())])),
  "items": pa.array([None if i % 17 == 0 else list(range(i % 4)) for i in range(n)], pa.list_(pa.int64())),
})
pq.write_table(t, sys.argv[1], compression="zstd")
`;

/** DuckDB writes MAP (string and integer keys), STRUCT and LIST columns; Polars writes struct and list. */
const NESTED_WRITE = `
import sys, duckdb, polars as pl
duckdb.sql(f"""COPY (SELECT i::BIGINT AS id, CASE WHEN i % 6 = 0 THEN NULL ELSE MAP {{'k' || i: i * 1.5, 'z': -i}} END AS attrs,
  MAP {{i: 'v' || i}} AS codes, {{'a': i, 'b': ['x', NULL]}} AS tags, CASE WHEN i % 4 = 0 THEN [] ELSE [i, i + 1] END AS items
  FROM range(40) t(i)) TO '{sys.argv[1]}' (FORMAT parquet, COMPRESSION gzip)""")
pl.DataFrame({"id": list(range(40)), "attrs": [{"a": i} for i in range(40)], "codes": [[i] for i in range(40)],
  "tags": [None if i % 3 == 0 else {"q": f"p{i}"} for i in range(40)], "items": [[f"s{i}"] * (i % 3) for i in range(40)]}).write_parquet(sys.argv[2])
`;

const NESTED_ORACLE = `
import sys, json, duckdb
rows = duckdb.sql(f"SELECT id::INTEGER, COLUMNS(* EXCLUDE (id))::JSON::VARCHAR FROM read_parquet('{sys.argv[1]}') ORDER BY id").fetchall()
print(json.dumps([list(r) for r in rows]))
`;

/** DuckDB's answers over a file: aggregates and exact sample rows, as JSON. */
const ORACLE = `
import sys, json, duckdb
path, kind = sys.argv[1], sys.argv[2]
c = duckdb.connect()
q = lambda sql: c.execute(sql.replace("F", f"read_parquet('{path}')")).fetchall()
if kind == "spark":
  out = {
    "agg": [list(map(str, r)) for r in q("select count(*), count(name), sum(id), sum(amount), strftime(min(sold_at), '%Y-%m-%d %H:%M:%S.%f'), strftime(max(sold_at), '%Y-%m-%d %H:%M:%S.%f'), min(day), max(day) from F")][0],
    "rows": [list(map(str, r)) for r in q("select id, coalesce(name, 'NULL'), amount, strftime(sold_at, '%Y-%m-%d %H:%M:%S.%f'), day from F where id in (0, 1, 250, 499) order by id")],
  }
else:
  out = {
    "agg": [list(map(str, r)) for r in q("select count(*), count(payload), count(tags), count(items), sum(octet_length(payload)) from F")][0],
    "rows": [[r[0], r[1], r[2], r[3]] for r in q("select id, hex(payload), to_json(tags)::varchar, to_json(items)::varchar from F where id in (0, 1, 2, 13, 17, 200) order by id")],
  }
print(json.dumps(out))
`;

let s3: TestS3;
let runner: LocalRunner;
let sm: PreparedStateMachine;
let db: pg.Client;
let database: string;
let stack: TestStateMachine | undefined;
let dir: string;

async function rows(sql: string): Promise<unknown[][]> {
  return (await db.query({ text: sql, rowMode: 'array' })).rows;
}

function oracle(path: string, kind: string): { agg: string[]; rows: (string | number | null)[][] } {
  return JSON.parse(
    execFileSync((python as { python: string }).python, ['-c', ORACLE, path, kind], { encoding: 'utf8' }),
  );
}

async function put(key: string, path: string) {
  await s3.client.send(new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: readFileSync(path) }));
}

describe.runIf(python.ok)('load Parquet from real Spark and pyarrow (local stack)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rt-real-writers-'));
    stack = await startTestStateMachine({
      kind: 'load',
      buckets: ['rt-landing', 'rt-staging', 'rt-state'],
      slices: 2,
    });
    ({ s3, db, runner, sm } = stack);
    database = stack.redshift.database;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(spark.ok)(
    "Spark with INT96 timestamps: the table equals DuckDB's reading, to the microsecond",
    async () => {
      const install = (spark as Extract<typeof spark, { ok: true }>).install;
      const out = join(dir, 'spark');
      execFileSync(install.python, ['-c', SPARK_WRITE, out], { stdio: 'ignore', timeout: 300_000 });
      const file = readdirSync(out).find((f) => f.endsWith('.parquet')) as string;
      const schema = execFileSync(
        (python as { python: string }).python,
        [
          '-c',
          'import sys, pyarrow.parquet as pq; print(pq.ParquetFile(sys.argv[1]).schema)',
          join(out, file),
        ],
        { encoding: 'utf8' },
      );
      expect(schema).toContain('int96 field_id=-1 sold_at');
      await put(`spark-int96/${file}`, join(out, file));
      const r = await runJobDocument(
        runner,
        sm,
        loadJobDocument('spark-int96', database, 'public.spark_int96', {
          format: { type: 'parquet' },
          createTable: {},
        }),
      );
      expect(r.error, r.cause).toBeUndefined();
      expect(
        await rows(
          "select column_name, data_type from information_schema.columns where table_name = 'spark_int96' order by ordinal_position",
        ),
      ).toEqual([
        ['id', 'bigint'],
        ['name', 'character varying'],
        ['amount', 'numeric'],
        ['sold_at', 'timestamp without time zone'],
        ['day', 'date'],
      ]);
      const expected = oracle(join(out, file), 'spark');
      const [agg] = await rows(
        `select count(*)::text, count(name)::text, sum(id)::text, sum(amount)::text,
        to_char(min(sold_at), 'YYYY-MM-DD HH24:MI:SS.US'), to_char(max(sold_at), 'YYYY-MM-DD HH24:MI:SS.US'),
        min(day)::text, max(day)::text from spark_int96`,
      );
      expect(agg).toEqual(expected.agg);
      expect(
        await rows(
          `select id::text, coalesce(name, 'NULL'), amount::text, to_char(sold_at, 'YYYY-MM-DD HH24:MI:SS.US'), day::text
         from spark_int96 where id in (0, 1, 250, 499) order by id`,
        ),
      ).toEqual(expected.rows);
    },
    400_000,
  );

  it("pyarrow binary -> VARBYTE and struct/list -> SUPER: the table equals DuckDB's reading", async () => {
    const path = join(dir, 'arrow.parquet');
    execFileSync((python as { python: string }).python, ['-c', ARROW_WRITE, path]);
    await put('arrow-nested/part-0.parquet', path);
    const r = await runJobDocument(
      runner,
      sm,
      loadJobDocument('arrow-nested', database, 'public.arrow_nested', {
        format: { type: 'parquet' },
        createTable: {},
      }),
    );
    expect(r.error, r.cause).toBeUndefined();
    const expected = oracle(path, 'arrow');
    const [agg] = await rows(
      'select count(*)::text, count(payload)::text, count(tags)::text, count(items)::text, sum(octet_length(payload))::text from arrow_nested',
    );
    expect(agg).toEqual(expected.agg);
    const got = await rows(
      "select id, upper(encode(payload, 'hex')), tags::text, items::text from arrow_nested where id in (0, 1, 2, 13, 17, 200) order by id",
    );
    const json = (v: unknown) => (v === null ? null : JSON.parse(String(v)));
    expect(got.map(([id, hex, tags, items]) => [id, hex, json(tags), json(items)])).toEqual(
      expected.rows.map(([id, hex, tags, items]) => [id, hex, json(tags), json(items)]),
    );
  }, 120_000);

  it("DuckDB's MAP, STRUCT and LIST and Polars' struct and list -> SUPER (COPY ... SERIALIZETOJSON): equal to DuckDB's reading", async () => {
    const duck = join(dir, 'duck-nested.parquet');
    const polars = join(dir, 'polars-nested.parquet');
    execFileSync((python as { python: string }).python, ['-c', NESTED_WRITE, duck, polars]);
    for (const [name, path] of [
      ['duck_nested', duck],
      ['polars_nested', polars],
    ] as const) {
      const jobName = name.replace('_', '-');
      await put(`${jobName}/part-0.parquet`, path);
      const r = await runJobDocument(
        runner,
        sm,
        loadJobDocument(jobName, database, `public.${name}`, {
          format: { type: 'parquet' },
          createTable: {},
        }),
      );
      expect(r.error, r.cause).toBeUndefined();
      // Read straight from PostgreSQL, where the local Redshift keeps SUPER as jsonb.
      expect(
        await rows(
          `select column_name, data_type from information_schema.columns where table_name = '${name}' order by ordinal_position`,
        ),
      ).toEqual([
        ['id', 'bigint'],
        ['attrs', 'jsonb'],
        ['codes', 'jsonb'],
        ['tags', 'jsonb'],
        ['items', 'jsonb'],
      ]);
      const expected = (
        JSON.parse(
          execFileSync((python as { python: string }).python, ['-c', NESTED_ORACLE, path], {
            encoding: 'utf8',
          }),
        ) as [number, ...(string | null)[]][]
      ).map(([id, ...nested]) => [id, ...nested.map((v) => (v === null ? null : JSON.parse(v)))]);
      const got = await rows(
        `select id::int, attrs::text, codes::text, tags::text, items::text from ${name} order by id`,
      );
      expect(
        got.map(([id, ...nested]) => [id, ...nested.map((v) => (v === null ? null : JSON.parse(String(v))))]),
        name,
      ).toEqual(expected);
    }
  }, 180_000);
});
