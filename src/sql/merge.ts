import { SqlBuildError } from '../errors.ts';
import { buildCopy, type CopySpec } from './copy.ts';
import { type QualifiedName, quoteIdent, quoteQualified, sqlString } from './identifiers.ts';
import { ledgerTableKey } from './ledger.ts';
import { setQueryGroup } from './queryGroup.ts';

/** Temp tables of one load transaction (temporary, so private to the Data API session). */
export const STAGE_TABLE = 'rt_stage';
export const SOURCE_TABLE = 'rt_source';
export const OBJECTS_TABLE = 'rt_objects';
export const COUNTS_TABLE = 'rt_counts';
/** The keys of the batch's delete markers (deleteMarker), split off rt_source. */
export const DELETES_TABLE = 'rt_deletes';

/** Prefix of the text our in-transaction checks put in the error that rolls the batch back. */
export const CHECK_MARKER = 'rt-check';

/** What a load mode's statements are built from (see LOAD_MODES). */
export interface ModeSql {
  /** The quoted target table. */
  target: string;
  /** The table the rows come from: rt_source (de-duplicated on the keys) or rt_stage. */
  source: string;
  /** The columns inserted (file order), unquoted, and the keys. */
  columns: readonly string[];
  keys: readonly string[];
  col: (c: string) => string;
  /** `left.k1 = right.k1 AND ...` over the keys. */
  keyJoin: (left: string, right: string) => string;
  /** True unless the ledger already has this batch (then the merge changes nothing). */
  notAlready: string;
}

/** How one load mode merges the batch; a new mode is one entry of LOAD_MODES. */
export interface LoadModeRule {
  /** One line for docs/load.md (test/unit/sql/merge.test.ts checks the docs list every mode). */
  summary: string;
  /** Whether the job must name `keys`. */
  needsKeys: boolean;
  /** Whether a `deleteMarker` may delete target rows by key in this mode. */
  takesDeleteMarker: boolean;
  /** SQL counting the target rows the merge replaces or updates (`matched`), before it runs. */
  matched: (s: ModeSql) => string;
  /** The statements that merge the source into the target. */
  merge: (s: ModeSql) => [LoadStep, string][];
  /** Rows inserted, updated and deleted, from the rows merged and the target rows matched. */
  changes: (merged: number, matched: number) => { inserted: number; updated: number; deleted: number };
}

const insertFrom = (s: ModeSql): [LoadStep, string] => {
  const list = s.columns.map(s.col).join(', ');
  return [
    'insert',
    `INSERT INTO ${s.target} (${list}) SELECT ${list} FROM ${s.source} WHERE ${s.notAlready}`,
  ];
};
const matchedByKey = (s: ModeSql) =>
  `(SELECT COUNT(*) FROM ${s.target} t JOIN ${s.source} s ON ${s.keyJoin('t', 's')})`;
const byKey = (merged: number, matched: number) => ({
  inserted: Math.max(0, merged - matched),
  updated: matched,
});

/**
 * The load modes. Every mode keeps the target's row count reconcilable: after = before -
 * matched + merged (the check-merged step).
 */
export const LOAD_MODES = {
  append: {
    summary: 'INSERT every row of the batch; existing rows are untouched.',
    needsKeys: false,
    takesDeleteMarker: false,
    matched: () => 'CAST(0 AS BIGINT)',
    merge: (s) => [insertFrom(s)],
    changes: (merged) => ({ inserted: merged, updated: 0, deleted: 0 }),
  },
  replace: {
    summary: 'DELETE every target row, then INSERT the batch, in one transaction (never TRUNCATE).',
    needsKeys: false,
    takesDeleteMarker: false,
    matched: (s) => `(SELECT COUNT(*) FROM ${s.target})`,
    merge: (s) => [['delete', `DELETE FROM ${s.target} WHERE ${s.notAlready}`], insertFrom(s)],
    changes: (merged, matched) => ({ inserted: merged, updated: 0, deleted: matched }),
  },
  upsert: {
    summary:
      'DELETE the target rows whose keys are in the batch, then INSERT the batch: whole rows are replaced.',
    needsKeys: true,
    takesDeleteMarker: true,
    matched: matchedByKey,
    merge: (s) => [
      [
        'delete',
        `DELETE FROM ${s.target} USING ${s.source} WHERE ${s.keyJoin(s.target, s.source)} AND ${s.notAlready}`,
      ],
      insertFrom(s),
    ],
    changes: (merged, matched) => ({ ...byKey(merged, matched), deleted: matched }),
  },
  merge: {
    summary:
      "Redshift's MERGE: UPDATE the file's columns of target rows matched by key, INSERT the others; target columns absent from the files keep their values.",
    needsKeys: true,
    takesDeleteMarker: true,
    matched: matchedByKey,
    merge: (s) => {
      const keySet = new Set(s.keys.map((k) => k.toLowerCase()));
      const values = s.columns.filter((c) => !keySet.has(c.toLowerCase()));
      // MERGE needs an UPDATE clause; with only key columns in the files, SET a key to itself.
      const set = (values.length > 0 ? values : s.keys.slice(0, 1)).map((c) => `${s.col(c)} = s.${s.col(c)}`);
      return [
        // MERGE has no WHERE: a batch the ledger already has merges an emptied source (our temp table).
        ['skip-loaded', `DELETE FROM ${s.source} WHERE NOT ${s.notAlready}`],
        [
          'merge',
          `MERGE INTO ${s.target} USING ${s.source} s ON ${s.keyJoin(s.target, 's')} ` +
            `WHEN MATCHED THEN UPDATE SET ${set.join(', ')} ` +
            `WHEN NOT MATCHED THEN INSERT (${s.columns.map(s.col).join(', ')}) ` +
            `VALUES (${s.columns.map((c) => `s.${s.col(c)}`).join(', ')})`,
        ],
      ];
    },
    changes: (merged, matched) => ({ ...byKey(merged, matched), deleted: 0 }),
  },
} as const satisfies Record<string, LoadModeRule>;

export type LoadMode = keyof typeof LOAD_MODES;
export const loadModes = Object.keys(LOAD_MODES) as [LoadMode, ...LoadMode[]];

export interface LoadBatchSpec {
  table: QualifiedName;
  /** Every column of the target table, in table order. */
  tableColumns: readonly string[];
  /** COPY's column list (file order); undefined for JSON, mapped by name onto every column. */
  fileColumns?: readonly string[] | undefined;
  mode: LoadMode;
  keys?: readonly string[] | undefined;
  orderBy?: string | undefined;
  /**
   * Rows of the batch (after de-duplication) whose `column` equals `value` delete the target row
   * with their keys instead of being merged (modes with takesDeleteMarker).
   */
  deleteMarker?: { column: string; value: string | number | boolean } | undefined;
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
  | 'split-deletes'
  | 'delete-marked'
  | 'count'
  | 'check-staged'
  | 'delete'
  | 'insert'
  | 'skip-loaded'
  | 'merge'
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
 * 5. Count: staged rows, rows to merge, target rows before, target rows matched by key, target
 *    rows a delete marker removes, and how
 *    many of the batch's objects the ledger already has (`already`).
 * 6. Check staged = records counted in the files, or fail the batch with a clear message.
 * 7. Merge by mode (LOAD_MODES) with explicit column lists. Each is a no-op when `already` > 0,
 *    which makes a retried or duplicate batch commit nothing but the same answer.
 *    With a deleteMarker, the marked winners' keys are split off into rt_deletes first and
 *    delete their target rows after the merge (`removed`).
 * 8. Check target rows after = before - matched + merged - removed.
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

  if (spec.label !== undefined) add('label', setQueryGroup(spec.label));
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
  const marker = spec.deleteMarker;
  const isMarked =
    marker === undefined ? undefined : `${col(marker.column)} = ${sqlString(String(marker.value))}`;
  if (isMarked !== undefined) {
    if (!hasKeys || !LOAD_MODES[spec.mode].takesDeleteMarker) {
      throw new SqlBuildError(`deleteMarker needs keys and mode upsert or merge (got mode ${spec.mode})`);
    }
    // The key's winner decides: a marker deletes the key's target row, never merged itself.
    add(
      'split-deletes',
      `CREATE TEMP TABLE ${DELETES_TABLE} AS SELECT ${(spec.keys ?? []).map(col).join(', ')} FROM ${SOURCE_TABLE} WHERE ${isMarked}`,
    );
    add('split-deletes', `DELETE FROM ${SOURCE_TABLE} WHERE ${isMarked}`);
  }

  const keyJoin = (left: string, right: string) =>
    (spec.keys ?? []).map((k) => `${left}.${col(k)} = ${right}.${col(k)}`).join(' AND ');
  const rule: LoadModeRule = LOAD_MODES[spec.mode];
  const modeSql: ModeSql = {
    target,
    source,
    columns: insertColumns,
    keys: spec.keys ?? [],
    col,
    keyJoin,
    notAlready,
  };
  const matched = rule.matched(modeSql);
  add(
    'count',
    `CREATE TEMP TABLE ${COUNTS_TABLE} AS SELECT ` +
      `(SELECT COUNT(*) FROM ${STAGE_TABLE}) AS staged, ` +
      `(SELECT COUNT(*) FROM ${source}) AS merged, ` +
      `(SELECT COUNT(*) FROM ${target}) AS before_rows, ` +
      `${matched} AS matched, ` +
      `${isMarked === undefined ? 'CAST(0 AS BIGINT)' : `(SELECT COUNT(*) FROM ${target} t JOIN ${DELETES_TABLE} d ON ${keyJoin('t', 'd')})`} AS removed, ` +
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

  for (const [step, sql] of rule.merge(modeSql)) add(step, sql);
  if (isMarked !== undefined) {
    add(
      'delete-marked',
      `DELETE FROM ${target} USING ${DELETES_TABLE} WHERE ${keyJoin(target, DELETES_TABLE)} AND ${notAlready}`,
    );
  }
  add(
    'check-merged',
    `SELECT CASE WHEN c.already = 0 AND a.after_rows <> c.before_rows - c.matched + c.merged - c.removed THEN CAST(` +
      `'${CHECK_MARKER} merged: the target holds ' || CAST(a.after_rows AS VARCHAR) || ' rows, expected ' || ` +
      `CAST(c.before_rows - c.matched + c.merged - c.removed AS VARCHAR) AS INTEGER) ELSE 0 END AS ok ` +
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
      `(SELECT COUNT(*) FROM ${OBJECTS_TABLE}) AS objects, c.removed FROM ${COUNTS_TABLE} c ` +
      `CROSS JOIN (SELECT COUNT(*) AS after_rows FROM ${target}) a`,
  );
  // After the result row: the load's counts are the load's alone; a failing hook rolls back all.
  for (const sql of spec.postSql ?? []) add('post-sql', sql);
  add(
    'drop',
    `DROP TABLE ${[STAGE_TABLE, ...(hasKeys ? [SOURCE_TABLE] : []), ...(isMarked === undefined ? [] : [DELETES_TABLE]), OBJECTS_TABLE, COUNTS_TABLE].join(', ')}`,
  );

  return { sqls: statements.map(([, sql]) => sql), steps: statements.map(([step]) => step) };
}
