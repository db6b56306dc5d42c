import { execFileSync } from 'node:child_process';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRunner, PreparedStateMachine } from '../../local/sfn/localRunner.ts';
import { loadJobDocument, runJobDocument } from '../helpers/loadJobDocument.ts';
import { testPythonFor } from '../helpers/pythonEnv.ts';
import type { TestRedshift } from '../helpers/testRedshift.ts';
import type { TestS3 } from '../helpers/testS3.ts';
import { startTestStateMachine, type TestStateMachine } from '../helpers/testStateMachine.ts';

/** schemaEvolution: [addColumns] with Parquet written by pyarrow, on the local stack. */
const python = testPythonFor('loadSchemaEvolution.test.ts');

// Columns id, name (in the table already) and region, score (new), in that order.
const WRITE = `
import io, sys, base64, pyarrow as pa, pyarrow.parquet as pq
t = pa.table({"id": pa.array([10, 11], pa.int32()), "name": ["ten", "eleven"], "region": ["eu", None], "score": pa.array([1.5, 2.5], pa.float64())})
b = io.BytesIO(); pq.write_table(t, b)
sys.stdout.write(base64.b64encode(b.getvalue()).decode())
`;

let s3: TestS3;
let redshift: TestRedshift;
let runner: LocalRunner;
let sm: PreparedStateMachine;
let db: pg.Client;
let stack: TestStateMachine | undefined;
let parquet: Buffer;

function job(name: string, table: string, overrides: Record<string, unknown> = {}) {
  return loadJobDocument(name, redshift.database, table, { format: { type: 'parquet' }, ...overrides });
}

function run(j: Record<string, unknown>) {
  return runJobDocument(runner, sm, j);
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await db.query({ text: sql, rowMode: 'array' })).rows;
}

describe.runIf(python.ok)('schemaEvolution (local stack)', () => {
  beforeAll(async () => {
    parquet = Buffer.from(
      execFileSync((python as { python: string }).python, ['-c', WRITE], { encoding: 'utf8' }),
      'base64',
    );
    stack = await startTestStateMachine({
      kind: 'load',
      buckets: ['rt-landing', 'rt-staging', 'rt-state'],
      slices: 2,
    });
    ({ s3, redshift, db, runner, sm } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function seed(table: string, prefix: string) {
    await db.query(`create table ${table} (id int, name varchar(20))`);
    await db.query(`insert into ${table} values (1, 'one'), (2, 'two')`);
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'rt-landing', Key: `${prefix}/a.parquet`, Body: parquet }),
    );
  }

  it('adds the new columns in the load transaction, fills them, and leaves the other rows as they were', async () => {
    await seed('evolve_add', 'evolve-add');
    const r = await run(job('evolve-add', 'public.evolve_add', { schemaEvolution: ['addColumns'] }));
    expect(r.error, r.cause).toBeUndefined();
    expect(
      await rows(
        "select column_name, data_type from information_schema.columns where table_name = 'evolve_add' order by ordinal_position",
      ),
    ).toEqual([
      ['id', 'integer'],
      ['name', 'character varying'],
      ['region', 'character varying'],
      ['score', 'double precision'],
    ]);
    expect(await rows('select id, name, region, score from evolve_add order by id')).toEqual([
      [1, 'one', null, null],
      [2, 'two', null, null],
      [10, 'ten', 'eu', 1.5],
      [11, 'eleven', null, 2.5],
    ]);
  }, 120_000);

  it('without schemaEvolution changes nothing and fails as before', async () => {
    await seed('evolve_none', 'evolve-none');
    const r = await run(job('evolve-none', 'public.evolve_none'));
    expect(r.status).toBe('FAILED');
    expect(await rows('select id, name from evolve_none order by id')).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    expect(
      await rows("select count(*)::int from information_schema.columns where table_name = 'evolve_none'"),
    ).toEqual([[2]]);
  }, 120_000);

  it('a column the files lack is a SchemaMismatchError listing it; the table is not altered', async () => {
    await db.query('create table evolve_missing (id int, name varchar(20), code varchar(5))');
    await db.query("insert into evolve_missing values (1, 'one', 'x')");
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'rt-landing', Key: 'evolve-missing/a.parquet', Body: parquet }),
    );
    const r = await run(job('evolve-missing', 'public.evolve_missing', { schemaEvolution: ['addColumns'] }));
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('SchemaMismatchError');
    expect(r.cause).toContain('column "code" of the table is missing from the files (removed or renamed?)');
    expect(await rows('select id, name, code from evolve_missing')).toEqual([[1, 'one', 'x']]);
    expect(
      await rows("select count(*)::int from information_schema.columns where table_name = 'evolve_missing'"),
    ).toEqual([[3]]);
  }, 120_000);
});
