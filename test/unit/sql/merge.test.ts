import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerSql } from '../../../src/sql/ledger.ts';
import {
  buildLoadBatch,
  LOAD_MODES,
  type LoadBatchSpec,
  type LoadMode,
  loadModes,
} from '../../../src/sql/merge.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';

const role = 'arn:aws:iam::123456789012:role/RedshiftCopy';

function spec(mode: LoadMode, extra: Partial<LoadBatchSpec> = {}): LoadBatchSpec {
  return {
    table: { schema: 'public', name: 'sales' },
    tableColumns: ['id', 'name', 'amount', 'updated_at', 'source'],
    fileColumns: ['id', 'name', 'amount', 'updated_at'],
    mode,
    copy: {
      from: 's3://stage/sales/r1/copy.manifest',
      iamRole: role,
      manifest: true,
      format: { type: 'csv', delimiter: ',', quote: '"' },
      compression: 'gzip',
    },
    objectsUri: 's3://stage/sales/r1/objects.csv',
    ledger: { schema: 'public', name: 'rt_load_ledger' },
    expectedRecords: 4,
    runId: 'r1',
    loadId: 'l1',
    ...extra,
  };
}

describe('Function: buildLoadBatch', () => {
  it('builds the whole upsert transaction', () => {
    const batch = buildLoadBatch(spec('upsert', { keys: ['id'], orderBy: 'updated_at' }));
    expect(batch.steps).toEqual([
      'lock',
      'create-stage',
      'create-objects',
      'copy-objects',
      'copy',
      'deduplicate',
      'count',
      'check-staged',
      'delete',
      'insert',
      'check-merged',
      'ledger',
      'result',
      'drop',
    ]);
    expect(batch.sqls).toEqual([
      'LOCK "public"."sales"',
      'CREATE TEMP TABLE rt_stage (LIKE "public"."sales" INCLUDING DEFAULTS)',
      'CREATE TEMP TABLE rt_objects (bucket VARCHAR(63) NOT NULL, object_key VARCHAR(1024) NOT NULL, object_version VARCHAR(1100) NOT NULL, records BIGINT NOT NULL)',
      `COPY "rt_objects" ("bucket", "object_key", "object_version", "records") FROM 's3://stage/sales/r1/objects.csv' IAM_ROLE '${role}' FORMAT AS CSV QUOTE AS '"' DELIMITER AS ',' COMPUPDATE OFF STATUPDATE OFF`,
      `COPY "rt_stage" ("id", "name", "amount", "updated_at") FROM 's3://stage/sales/r1/copy.manifest' IAM_ROLE '${role}' MANIFEST FORMAT AS CSV QUOTE AS '"' DELIMITER AS ',' GZIP COMPUPDATE OFF STATUPDATE OFF`,
      'CREATE TEMP TABLE rt_source AS SELECT "id", "name", "amount", "updated_at" FROM (SELECT "id", "name", "amount", "updated_at", ROW_NUMBER() OVER (PARTITION BY "id" ORDER BY "updated_at" DESC NULLS LAST, "name" DESC NULLS LAST, "amount" DESC NULLS LAST) AS rt_row FROM rt_stage) ranked WHERE rt_row = 1',
      'CREATE TEMP TABLE rt_counts AS SELECT (SELECT COUNT(*) FROM rt_stage) AS staged, (SELECT COUNT(*) FROM rt_source) AS merged, (SELECT COUNT(*) FROM "public"."sales") AS before_rows, (SELECT COUNT(*) FROM "public"."sales" t JOIN rt_source s ON t."id" = s."id") AS matched, CAST(0 AS BIGINT) AS removed, (SELECT COUNT(*) FROM "public"."rt_load_ledger" l JOIN rt_objects o ON l.bucket = o.bucket AND l.object_key = o.object_key AND l.object_version = o.object_version WHERE l.target_table = \'"public"."sales"\') AS already',
      "SELECT CASE WHEN c.already = 0 AND c.staged <> 4 THEN CAST('rt-check staged: COPY staged ' || CAST(c.staged AS VARCHAR) || ' rows but the files hold 4 records' AS INTEGER) ELSE 0 END AS ok FROM rt_counts c",
      'DELETE FROM "public"."sales" USING rt_source WHERE "public"."sales"."id" = rt_source."id" AND (SELECT already FROM rt_counts) = 0',
      'INSERT INTO "public"."sales" ("id", "name", "amount", "updated_at") SELECT "id", "name", "amount", "updated_at" FROM rt_source WHERE (SELECT already FROM rt_counts) = 0',
      'SELECT CASE WHEN c.already = 0 AND a.after_rows <> c.before_rows - c.matched + c.merged - c.removed THEN CAST(\'rt-check merged: the target holds \' || CAST(a.after_rows AS VARCHAR) || \' rows, expected \' || CAST(c.before_rows - c.matched + c.merged - c.removed AS VARCHAR) AS INTEGER) ELSE 0 END AS ok FROM rt_counts c CROSS JOIN (SELECT COUNT(*) AS after_rows FROM "public"."sales") a',
      'INSERT INTO "public"."rt_load_ledger" (target_table, bucket, object_key, object_version, records, run_id, load_id, loaded_at) SELECT \'"public"."sales"\', o.bucket, o.object_key, o.object_version, o.records, \'r1\', \'l1\', GETDATE() FROM rt_objects o WHERE (SELECT already FROM rt_counts) = 0',
      'SELECT c.staged, c.merged, c.before_rows, c.matched, c.already, a.after_rows, (SELECT COUNT(*) FROM rt_objects) AS objects, c.removed FROM rt_counts c CROSS JOIN (SELECT COUNT(*) AS after_rows FROM "public"."sales") a',
      'DROP TABLE rt_stage, rt_source, rt_objects, rt_counts',
    ]);
  });

  it('adds columns (schemaEvolution) after the LOCK and before the stage copies the table', () => {
    const batch = buildLoadBatch(
      spec('append', {
        alterTable: ['ALTER TABLE "public"."sales" ADD COLUMN "region" VARCHAR(65535)'],
        preSql: ['DELETE FROM "public"."sales" WHERE id < 0'],
      }),
    );
    expect(batch.steps.slice(0, 4)).toEqual(['lock', 'alter-table', 'pre-sql', 'create-stage']);
    expect(batch.sqls.slice(0, 4)).toEqual([
      'LOCK "public"."sales"',
      'ALTER TABLE "public"."sales" ADD COLUMN "region" VARCHAR(65535)',
      'DELETE FROM "public"."sales" WHERE id < 0',
      'CREATE TEMP TABLE rt_stage (LIKE "public"."sales" INCLUDING DEFAULTS)',
    ]);
  });

  it('builds append without keys straight from the stage, and replace with a DELETE (never TRUNCATE)', () => {
    const append = buildLoadBatch(spec('append'));
    expect(append.steps).not.toContain('deduplicate');
    expect(append.steps).not.toContain('delete');
    expect(append.sqls[append.steps.indexOf('insert')]).toBe(
      'INSERT INTO "public"."sales" ("id", "name", "amount", "updated_at") SELECT "id", "name", "amount", "updated_at" FROM rt_stage WHERE (SELECT already FROM rt_counts) = 0',
    );
    expect(append.sqls[append.steps.indexOf('count')]).toContain('CAST(0 AS BIGINT) AS matched');
    const replace = buildLoadBatch(spec('replace'));
    expect(replace.sqls[replace.steps.indexOf('delete')]).toBe(
      'DELETE FROM "public"."sales" WHERE (SELECT already FROM rt_counts) = 0',
    );
    expect(replace.sqls.join('\n')).not.toMatch(/TRUNCATE|SELECT \*/i);
  });

  it('builds the whole merge transaction around one MERGE statement', () => {
    const batch = buildLoadBatch(
      spec('merge', { keys: ['id'], orderBy: 'updated_at', label: 'rt:j:r1:load' }),
    );
    expect(batch.steps).toEqual([
      'label',
      'lock',
      'create-stage',
      'create-objects',
      'copy-objects',
      'copy',
      'deduplicate',
      'count',
      'check-staged',
      'skip-loaded',
      'merge',
      'check-merged',
      'ledger',
      'result',
      'drop',
    ]);
    const upsert = buildLoadBatch(
      spec('upsert', { keys: ['id'], orderBy: 'updated_at', label: 'rt:j:r1:load' }),
    );
    const at = (step: string) => batch.sqls[batch.steps.indexOf(step as never)];
    // Everything but the merge itself is upsert's (same de-duplication, counts and checks).
    for (const step of [
      'label',
      'deduplicate',
      'count',
      'check-staged',
      'check-merged',
      'ledger',
      'result',
      'drop',
    ]) {
      expect(at(step)).toBe(upsert.sqls[upsert.steps.indexOf(step as never)]);
    }
    expect(at('skip-loaded')).toBe('DELETE FROM rt_source WHERE NOT (SELECT already FROM rt_counts) = 0');
    expect(at('merge')).toBe(
      'MERGE INTO "public"."sales" USING rt_source s ON "public"."sales"."id" = s."id" ' +
        'WHEN MATCHED THEN UPDATE SET "name" = s."name", "amount" = s."amount", "updated_at" = s."updated_at" ' +
        'WHEN NOT MATCHED THEN INSERT ("id", "name", "amount", "updated_at") VALUES (s."id", s."name", s."amount", s."updated_at")',
    );
  });

  it('merges on composite keys, and sets a key to itself when the files hold only keys', () => {
    const composite = buildLoadBatch(spec('merge', { keys: ['id', 'name'] }));
    expect(composite.sqls[composite.steps.indexOf('merge')]).toBe(
      'MERGE INTO "public"."sales" USING rt_source s ON "public"."sales"."id" = s."id" AND "public"."sales"."name" = s."name" ' +
        'WHEN MATCHED THEN UPDATE SET "amount" = s."amount", "updated_at" = s."updated_at" ' +
        'WHEN NOT MATCHED THEN INSERT ("id", "name", "amount", "updated_at") VALUES (s."id", s."name", s."amount", s."updated_at")',
    );
    const onlyKeys = buildLoadBatch(spec('merge', { keys: ['id'], fileColumns: ['id'] }));
    expect(onlyKeys.sqls[onlyKeys.steps.indexOf('merge')]).toBe(
      'MERGE INTO "public"."sales" USING rt_source s ON "public"."sales"."id" = s."id" ' +
        'WHEN MATCHED THEN UPDATE SET "id" = s."id" WHEN NOT MATCHED THEN INSERT ("id") VALUES (s."id")',
    );
  });

  it('splits delete markers off the de-duplicated batch and deletes their target rows by key', () => {
    const batch = buildLoadBatch(
      spec('merge', { keys: ['id'], orderBy: 'updated_at', deleteMarker: { column: 'name', value: 'D' } }),
    );
    const at = (step: string) => batch.sqls.filter((_, i) => batch.steps[i] === step);
    expect(batch.steps.indexOf('split-deletes')).toBe(batch.steps.indexOf('deduplicate') + 1);
    expect(at('split-deletes')).toEqual([
      `CREATE TEMP TABLE rt_deletes AS SELECT "id" FROM rt_source WHERE "name" = 'D'`,
      `DELETE FROM rt_source WHERE "name" = 'D'`,
    ]);
    expect(at('count')[0]).toContain(
      '(SELECT COUNT(*) FROM "public"."sales" t JOIN rt_deletes d ON t."id" = d."id") AS removed',
    );
    expect(batch.steps.indexOf('delete-marked')).toBe(batch.steps.indexOf('merge') + 1);
    expect(at('delete-marked')).toEqual([
      'DELETE FROM "public"."sales" USING rt_deletes WHERE "public"."sales"."id" = rt_deletes."id" AND (SELECT already FROM rt_counts) = 0',
    ]);
    expect(at('drop')).toEqual(['DROP TABLE rt_stage, rt_source, rt_deletes, rt_objects, rt_counts']);
    expect(() =>
      buildLoadBatch(spec('append', { keys: ['id'], deleteMarker: { column: 'name', value: 'D' } })),
    ).toThrow('deleteMarker needs keys and mode upsert or merge (got mode append)');
  });

  it('keeps one table of modes: the schema enum, the needs-keys rule and the docs all list it', () => {
    expect(loadModes).toEqual(['append', 'replace', 'upsert', 'merge']);
    const docs = readFileSync(new URL('../../../docs/load.md', import.meta.url), 'utf8');
    // The docs' table of modes, cells trimmed (the formatter pads them).
    const table = docs
      .split('\n')
      .filter((line) => /^\| `\w+` +\|/.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(table).toEqual(
      loadModes.map((mode) => [
        `\`${mode}\``,
        LOAD_MODES[mode].needsKeys ? 'required' : 'optional',
        LOAD_MODES[mode].summary,
      ]),
    );
  });

  it('inserts every table column for JSON (COPY maps fields by name)', () => {
    const batch = buildLoadBatch(
      spec('append', { fileColumns: undefined, copy: { ...spec('append').copy, format: { type: 'json' } } }),
    );
    expect(batch.sqls[batch.steps.indexOf('copy')]).toMatch(/^COPY "rt_stage" FROM /);
    expect(batch.sqls[batch.steps.indexOf('insert')]).toContain(
      '("id", "name", "amount", "updated_at", "source")',
    );
  });
});

/**
 * The batch's SQL run for real on PostgreSQL (the engine under the local Redshift), with the two
 * COPYs replaced by INSERTs of what they would stage: checks the merge semantics row by row.
 */
describe('Function: buildLoadBatch (on PostgreSQL)', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('merge');
    client = new pg.Client(db.url);
    await client.connect();
    await client.query(`CREATE FUNCTION getdate() RETURNS timestamp LANGUAGE sql AS 'SELECT LOCALTIMESTAMP'`);
    for (const sql of createLedgerSql({ schema: 'public', name: 'rt_load_ledger' })) await client.query(sql);
  });

  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  async function reset() {
    await client.query('DROP TABLE IF EXISTS sales');
    await client.query(
      `CREATE TABLE sales (id int NOT NULL, name varchar(20), amount numeric(10,2), updated_at timestamp,
        source varchar(10) NOT NULL DEFAULT 'file')`,
    );
    await client.query(
      `INSERT INTO sales VALUES (1, 'old-1', 1, '2024-01-01', 'seed'), (2, 'old-2', 2, '2024-01-01', 'seed')`,
    );
    await client.query('DELETE FROM rt_load_ledger');
  }

  const incoming = `(2, 'new-2a', 20, '2024-02-01'), (2, 'new-2b', 21, '2024-03-01'), (3, '', NULL, '2024-02-01'), (4, NULL, 4, NULL)`;

  async function run(batchSpec: LoadBatchSpec, stageRows = incoming) {
    const batch = buildLoadBatch(batchSpec);
    await client.query('BEGIN');
    try {
      let result: pg.QueryResult | undefined;
      for (const [i, sql] of batch.sqls.entries()) {
        const step = batch.steps[i];
        if (step === 'copy-objects') {
          await client.query(`INSERT INTO rt_objects VALUES ('landing', 'in/a.csv', 'etag:1', 4)`);
        } else if (step === 'copy') {
          await client.query(`INSERT INTO rt_stage (id, name, amount, updated_at) VALUES ${stageRows}`);
        } else {
          const r = await client.query(sql);
          if (step === 'result') result = r;
        }
      }
      await client.query('COMMIT');
      return result?.rows[0];
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }

  async function rows() {
    const r = await client.query(
      'SELECT id, name, amount::text AS amount, updated_at::date::text AS day, source FROM sales ORDER BY id',
    );
    return r.rows.map((x) => [x.id, x.name, x.amount, x.day, x.source]);
  }

  it('upserts: de-duplicates on the keys (latest orderBy wins), keeps NULL vs empty, fills defaults', async () => {
    await reset();
    const result = await run(spec('upsert', { keys: ['id'], orderBy: 'updated_at' }));
    expect(result).toEqual({
      staged: '4',
      merged: '3',
      before_rows: '2',
      matched: '1',
      already: '0',
      after_rows: '4',
      objects: '1',
      removed: '0',
    });
    expect(await rows()).toEqual([
      [1, 'old-1', '1.00', '2024-01-01', 'seed'],
      [2, 'new-2b', '21.00', '2024-03-01', 'file'],
      [3, '', null, '2024-02-01', 'file'],
      [4, null, '4.00', null, 'file'],
    ]);
    const ledger = await client.query(
      'SELECT target_table, bucket, object_key, object_version, records, run_id, load_id FROM rt_load_ledger',
    );
    expect(ledger.rows).toEqual([
      {
        target_table: '"public"."sales"',
        bucket: 'landing',
        object_key: 'in/a.csv',
        object_version: 'etag:1',
        records: '4',
        run_id: 'r1',
        load_id: 'l1',
      },
    ]);

    // The same batch again (a retry after a lost answer): nothing changes, `already` says why.
    const again = await run(spec('upsert', { keys: ['id'], orderBy: 'updated_at' }));
    expect(again?.already).toBe('1');
    expect((await rows()).length).toBe(4);
    expect((await client.query('SELECT count(*)::int AS n FROM rt_load_ledger')).rows[0].n).toBe(1);
  });

  it('appends every row, and replaces the whole table in the transaction', async () => {
    await reset();
    await run(spec('append'));
    expect((await rows()).map((r) => r[0])).toEqual([1, 2, 2, 2, 3, 4]);
    await client.query('DELETE FROM rt_load_ledger');
    await run(spec('replace', { keys: ['id'], orderBy: 'updated_at' }));
    expect((await rows()).map((r) => [r[0], r[1]])).toEqual([
      [2, 'new-2b'],
      [3, ''],
      [4, null],
    ]);
  });

  it('merges with MERGE: updates the file columns of matched rows, keeps the others, inserts the rest', async () => {
    await reset();
    const result = await run(spec('merge', { keys: ['id'], orderBy: 'updated_at' }));
    expect(result).toEqual({
      staged: '4',
      merged: '3',
      before_rows: '2',
      matched: '1',
      already: '0',
      after_rows: '4',
      objects: '1',
      removed: '0',
    });
    // Unlike upsert, row 2 keeps its `source` (not in the files): MERGE updates, never deletes.
    expect(await rows()).toEqual([
      [1, 'old-1', '1.00', '2024-01-01', 'seed'],
      [2, 'new-2b', '21.00', '2024-03-01', 'seed'],
      [3, '', null, '2024-02-01', 'file'],
      [4, null, '4.00', null, 'file'],
    ]);
    // The same batch again: the ledger has it, the source is emptied, nothing changes.
    await client.query(`UPDATE sales SET name = 'changed' WHERE id = 2`);
    const again = await run(spec('merge', { keys: ['id'], orderBy: 'updated_at' }));
    expect(again?.already).toBe('1');
    expect((await rows()).map((r) => [r[0], r[1]])).toEqual([
      [1, 'old-1'],
      [2, 'changed'],
      [3, ''],
      [4, null],
    ]);
  });

  for (const mode of ['upsert', 'merge'] as const) {
    it(`${mode} with a deleteMarker: a marked winner deletes its key's target row, counted as removed`, async () => {
      await reset();
      // Key 2's winner (latest updated_at) is marked, so are keys 1 and 5 (5 is not in the target).
      const stage = `(2, 'new-2a', 20, '2024-02-01'), (2, 'DEL', 21, '2024-03-01'), (1, 'DEL', NULL, '2024-02-01'), (5, 'DEL', 5, NULL)`;
      const result = await run(
        spec(mode, { keys: ['id'], orderBy: 'updated_at', deleteMarker: { column: 'name', value: 'DEL' } }),
        stage,
      );
      // Keys 1 and 2 deleted (found), key 5 a marker for a row the target never had: nothing to do.
      expect(result).toMatchObject({
        staged: '4',
        merged: '0',
        before_rows: '2',
        matched: '0',
        removed: '2',
        after_rows: '0',
      });
      expect(await rows()).toEqual([]);

      await reset();
      const mixed = `(2, 'DEL', 20, '2024-02-01'), (2, 'back', 21, '2024-03-01'), (1, 'DEL', NULL, '2024-02-01'), (3, 'new', 3, NULL)`;
      const second = await run(
        spec(mode, { keys: ['id'], orderBy: 'updated_at', deleteMarker: { column: 'name', value: 'DEL' } }),
        mixed,
      );
      // Key 2's winner is not a marker: it is merged; key 1 is deleted; key 3 inserted.
      expect(second).toMatchObject({ merged: '2', matched: '1', removed: '1', after_rows: '2' });
      expect((await rows()).map((r) => [r[0], r[1]])).toEqual([
        [2, 'back'],
        [3, 'new'],
      ]);
    });
  }

  it('rolls everything back when the staged rows differ from the records counted in the files', async () => {
    await reset();
    await expect(run(spec('append', { expectedRecords: 5 }))).rejects.toThrow(
      'rt-check staged: COPY staged 4 rows but the files hold 5 records',
    );
    expect((await rows()).length).toBe(2);
    expect((await client.query('SELECT count(*)::int AS n FROM rt_load_ledger')).rows[0].n).toBe(0);
  });
});
