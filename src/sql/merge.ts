import type { LoadMode } from '../job/loadJob.ts';
import { buildCopy, type CopySpec } from './copy.ts';
import { type QualifiedName, quoteIdent, quoteQualified, sqlString } from './identifiers.ts';
import { ledgerTableKey } from './ledger.ts';

/** Temp tables of one load transaction (temporary, so private to the Data API session). */
export const STAGE_TABLE = 'rt_stage';
export const SOURCE_TABLE = 'rt_source';
export const OBJECTS_TABLE = 'rt_objects';
export const COUNTS_TABLE = 'rt_counts';

/** Prefix of the text our in-transaction checks put in the error that rolls the batch back. */
export const CHECK_MARKER = 'rt-check';

export interface LoadBatchSpec {
  table: QualifiedName;
  /** Every column of the target table, in table order. */
  tableColumns: readonly string[];
  /** COPY's column list (file order); undefined for JSON, mapped by name onto every column. */
  fileColumns?: readonly string[] | undefined;
  mode: LoadMode;
  keys?: readonly string[] | undefined;
  orderBy?: string | undefined;
  /** The COPY of the prepared chunks, minus its table and column list. */
  copy: Omit<CopySpec, 'table' | 'columns'>;
  /** The objects file (see ledgerObjectsCsv) and the ledger table. */
  objectsUri: string;
  ledger: QualifiedName;
  /** Records the prepare step counted in the files; the COPY must stage exactly these. */
  expectedRecords: number;
  runId: string;
  /** Identifies this batch in the ledger (hash of run and manifest). */
  loadId: string;
  /**
   * `rt:<job>:<runId>:<step>` (statementName): set as the session's `query_group` first, so every
   * statement of the transaction carries it as `query_label` in SYS_QUERY_HISTORY.
   */
  label?: string | undefined;
  /** `ALTER TABLE ... ADD COLUMN` (schemaEvolution): after the LOCK, before the stage copies the table. */
  alterTable?: readonly string[] | undefined;
  /** Rendered preSql/postSql (renderHook): after the LOCK, and after the result row is selected. */
  preSql?: readonly string[] | undefined;
  postSql?: readonly string[] | undefined;
}

/** The step each statement of the batch performs, to name the one that failed. */
export type LoadStep =
  | 'label'
  | 'lock'
  | 'alter-table'
  | 'pre-sql'
  | 'post-sql'
  | 'create-stage'
  | 'create-objects'
  | 'copy-objects'
  | 'copy'
  | 'deduplicate'
  | 'count'
  | 'check-staged'
  | 'delete'
  | 'insert'
  | 'check-merged'
  | 'ledger'
  | 'result'
  | 'drop';

export interface LoadBatch {
  sqls: string[];
  steps: LoadStep[];
}

/**
 * The whole load as one BatchExecuteStatement (one transaction, rolled back as a whole):
 *
 * 1. `LOCK` the target, so concurrent loads of one table run one after the other.
 * 2. A temp stage `LIKE` the target `INCLUDING DEFAULTS` (NOT NULL DEFAULT columns absent from
 *    the files get their defaults), and the batch's object list for the ledger.
 * 3. COPY the prepared chunks from the manifest, with the explicit column list.
 * 4. With keys: keep one row per key (`ROW_NUMBER` over the keys, `orderBy` descending, then
 *    every other column so the winner is deterministic).
 * 5. Count: staged rows, rows to merge, target rows before, target rows matched by key, and how
 *    many of the batch's objects the ledger already has (`already`).
 * 6. Check staged = records counted in the files, or fail the batch with a clear message.
 * 7. Merge by mode with explicit column lists: append = INSERT; replace = DELETE + INSERT (never
 *    TRUNCATE, which commits); upsert = DELETE USING + INSERT. Each is a no-op when `already` > 0,
 *    which makes a retried or duplicate batch commit nothing but the same answer.
 * 8. Check target rows after = before - matched + merged.
 * 9. Record the objects in the ledger, select the counts (the result), drop the temp tables.
 */
export function buildLoadBatch(spec: LoadBatchSpec): LoadBatch {
  const target = quoteQualified(spec.table);
  const ledger = quoteQualified(spec.ledger);
  const col = (c: string) => quoteIdent(c, 'column name');
  const insertColumns = spec.fileColumns ?? spec.tableColumns;
  const list = insertColumns.map(col).join(', ');
  const hasKeys = spec.keys !== undefined && spec.keys.length > 0;
  const source = hasKeys ? SOURCE_TABLE : STAGE_TABLE;
  const notAlready = `(SELECT already FROM ${COUNTS_TABLE}) = 0`;
  const statements: [LoadStep, string][] = [];
  const add = (step: LoadStep, sql: string) => statements.push([step, sql]);

  if (spec.label !== undefined) add('label', `SET query_group TO ${sqlString(spec.label)}`);
  add('lock', `LOCK ${target}`);
  for (const sql of spec.alterTable ?? []) add('alter-table', sql);
  for (const sql of spec.preSql ?? []) add('pre-sql', sql);
  add('create-stage', `CREATE TEMP TABLE ${STAGE_TABLE} (LIKE ${target} INCLUDING DEFAULTS)`);
  add(
    'create-objects',
    `CREATE TEMP TABLE ${OBJECTS_TABLE} (bucket VARCHAR(63) NOT NULL, object_key VARCHAR(1024) NOT NULL, ` +
      'object_version VARCHAR(1100) NOT NULL, records BIGINT NOT NULL)',
  );
  add(
    'copy-objects',
    buildCopy({
      table: OBJECTS_TABLE,
      columns: ['bucket', 'object_key', 'object_version', 'records'],
      from: spec.objectsUri,
      iamRole: spec.copy.iamRole,
      manifest: false,
      format: { type: 'csv', delimiter: ',', quote: '"' },
      compression: 'none',
      options: spec.copy.options?.region === undefined ? {} : { region: spec.copy.options.region },
    }),
  );
  add('copy', buildCopy({ ...spec.copy, table: STAGE_TABLE, columns: spec.fileColumns }));

  if (hasKeys) {
    const keys = spec.keys ?? [];
    const keySet = new Set(keys.map((k) => k.toLowerCase()));
    const order: string[] = [];
    if (spec.orderBy !== undefined) order.push(`${col(spec.orderBy)} DESC NULLS LAST`);
    for (const c of insertColumns) {
      if (!keySet.has(c.toLowerCase()) && c.toLowerCase() !== spec.orderBy?.toLowerCase()) {
        order.push(`${col(c)} DESC NULLS LAST`);
      }
    }
    if (order.length === 0) order.push(`${col(keys[0] ?? '')}`);
    add(
      'deduplicate',
      `CREATE TEMP TABLE ${SOURCE_TABLE} AS SELECT ${list} FROM (SELECT ${list}, ROW_NUMBER() OVER ` +
        `(PARTITION BY ${keys.map(col).join(', ')} ORDER BY ${order.join(', ')}) AS rt_row ` +
        `FROM ${STAGE_TABLE}) ranked WHERE rt_row = 1`,
    );
  }

  const keyJoin = (left: string, right: string) =>
    (spec.keys ?? []).map((k) => `${left}.${col(k)} = ${right}.${col(k)}`).join(' AND ');
  const matched =
    spec.mode === 'upsert'
      ? `(SELECT COUNT(*) FROM ${target} t JOIN ${source} s ON ${keyJoin('t', 's')})`
      : spec.mode === 'replace'
        ? `(SELECT COUNT(*) FROM ${target})`
        : 'CAST(0 AS BIGINT)';
  add(
    'count',
    `CREATE TEMP TABLE ${COUNTS_TABLE} AS SELECT ` +
      `(SELECT COUNT(*) FROM ${STAGE_TABLE}) AS staged, ` +
      `(SELECT COUNT(*) FROM ${source}) AS merged, ` +
      `(SELECT COUNT(*) FROM ${target}) AS before_rows, ` +
      `${matched} AS matched, ` +
      `(SELECT COUNT(*) FROM ${ledger} l JOIN ${OBJECTS_TABLE} o ON l.bucket = o.bucket ` +
      `AND l.object_key = o.object_key AND l.object_version = o.object_version ` +
      `WHERE l.target_table = ${sqlString(ledgerTableKey(spec.table))}) AS already`,
  );
  const expected = Math.floor(spec.expectedRecords);
  add(
    'check-staged',
    `SELECT CASE WHEN c.already = 0 AND c.staged <> ${expected} THEN CAST(` +
      `'${CHECK_MARKER} staged: COPY staged ' || CAST(c.staged AS VARCHAR) || ' rows but the files hold ${expected} records' ` +
      `AS INTEGER) ELSE 0 END AS ok FROM ${COUNTS_TABLE} c`,
  );

  if (spec.mode === 'replace') {
    add('delete', `DELETE FROM ${target} WHERE ${notAlready}`);
  } else if (spec.mode === 'upsert') {
    add('delete', `DELETE FROM ${target} USING ${source} WHERE ${keyJoin(target, source)} AND ${notAlready}`);
  }
  add('insert', `INSERT INTO ${target} (${list}) SELECT ${list} FROM ${source} WHERE ${notAlready}`);
  add(
    'check-merged',
    `SELECT CASE WHEN c.already = 0 AND a.after_rows <> c.before_rows - c.matched + c.merged THEN CAST(` +
      `'${CHECK_MARKER} merged: the target holds ' || CAST(a.after_rows AS VARCHAR) || ' rows, expected ' || ` +
      `CAST(c.before_rows - c.matched + c.merged AS VARCHAR) AS INTEGER) ELSE 0 END AS ok ` +
      `FROM ${COUNTS_TABLE} c CROSS JOIN (SELECT COUNT(*) AS after_rows FROM ${target}) a`,
  );
  add(
    'ledger',
    `INSERT INTO ${ledger} (target_table, bucket, object_key, object_version, records, run_id, load_id, loaded_at) ` +
      `SELECT ${sqlString(ledgerTableKey(spec.table))}, o.bucket, o.object_key, o.object_version, o.records, ` +
      `${sqlString(spec.runId)}, ${sqlString(spec.loadId)}, GETDATE() FROM ${OBJECTS_TABLE} o WHERE ${notAlready}`,
  );
  add(
    'result',
    `SELECT c.staged, c.merged, c.before_rows, c.matched, c.already, a.after_rows, ` +
      `(SELECT COUNT(*) FROM ${OBJECTS_TABLE}) AS objects FROM ${COUNTS_TABLE} c ` +
      `CROSS JOIN (SELECT COUNT(*) AS after_rows FROM ${target}) a`,
  );
  // After the result row: the load's counts are the load's alone; a failing hook rolls back all.
  for (const sql of spec.postSql ?? []) add('post-sql', sql);
  add(
    'drop',
    `DROP TABLE ${[STAGE_TABLE, ...(hasKeys ? [SOURCE_TABLE] : []), OBJECTS_TABLE, COUNTS_TABLE].join(', ')}`,
  );

  return { sqls: statements.map(([, sql]) => sql), steps: statements.map(([step]) => step) };
}
