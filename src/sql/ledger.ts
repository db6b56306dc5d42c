import { type QualifiedName, quoteIdent, quoteQualified, sqlString } from './identifiers.ts';

/**
 * The load ledger: one row per (target table, object version) ever loaded. The plan task reads
 * it to skip objects already loaded; the load transaction inserts into it together with the
 * merge, and refuses to merge when any object of its batch is already there, so an object
 * version is loaded at most once even when a batch is retried or two runs race.
 *
 * `object_version` is `etag:<ETag>`: an object re-uploaded with new content is a new version and
 * is loaded again; the same bytes are not. The ETag (not the version id) is the identity because
 * both an S3 event and a prefix listing carry it, so an object loaded from its event is skipped
 * by a later prefix run and the other way round.
 * Redshift enforces no unique constraint, so uniqueness comes from the guarded insert, under
 * the `LOCK` of the target table that every load of that table takes first.
 */
export function createLedgerSql(ledger: QualifiedName): string[] {
  const sqls: string[] = [];
  if (ledger.schema !== undefined) sqls.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(ledger.schema)}`);
  sqls.push(
    `CREATE TABLE IF NOT EXISTS ${quoteQualified(ledger)} (` +
      'target_table VARCHAR(512) NOT NULL, ' +
      'bucket VARCHAR(63) NOT NULL, ' +
      'object_key VARCHAR(1024) NOT NULL, ' +
      'object_version VARCHAR(1100) NOT NULL, ' +
      'records BIGINT NOT NULL, ' +
      'run_id VARCHAR(128) NOT NULL, ' +
      'load_id VARCHAR(64) NOT NULL, ' +
      'loaded_at TIMESTAMP NOT NULL)',
  );
  return sqls;
}

/** The ledger's name for a target table: its quoted qualified name, exactly as SQL spells it. */
export function ledgerTableKey(table: QualifiedName): string {
  return quoteQualified(table);
}

/** The version identity the ledger stores for one S3 object. */
export function objectVersion(object: { etag: string }): string {
  return `etag:${object.etag.replace(/"/g, '')}`;
}

export interface LedgerLookup {
  ledger: QualifiedName;
  table: QualifiedName;
  bucket: string;
  /** Only rows whose key starts with this (the source prefix, or the objects' common prefix). */
  keyPrefix: string;
  /** When given (a list of objects), only these keys. */
  keys?: readonly string[] | undefined;
}

/**
 * The ledger rows that may concern a run: this table, this bucket, keys under the prefix (or in
 * the list). Columns: object_key, object_version, run_id. The plan compares versions itself.
 */
export function ledgerLookupSql(lookup: LedgerLookup): string {
  const where = [
    `target_table = ${sqlString(ledgerTableKey(lookup.table))}`,
    `bucket = ${sqlString(lookup.bucket)}`,
  ];
  if (lookup.keys !== undefined && lookup.keys.length > 0) {
    where.push(`object_key IN (${lookup.keys.map(sqlString).join(', ')})`);
  } else if (lookup.keyPrefix !== '') {
    where.push(`SUBSTRING(object_key, 1, ${[...lookup.keyPrefix].length}) = ${sqlString(lookup.keyPrefix)}`);
  }
  return (
    `SELECT object_key, object_version, run_id FROM ${quoteQualified(lookup.ledger)} ` +
    `WHERE ${where.join(' AND ')} ORDER BY object_key`
  );
}

/** One row of the objects file a load batch COPYs into its `rt_objects` table. */
export interface LedgerObject {
  bucket: string;
  key: string;
  objectVersion: string;
  records: number;
}

/**
 * The objects file (CSV, every field quoted, never empty) listing the batch's objects for the
 * ledger insert. COPYing it keeps the batch SQL small whatever the number of objects (a Data API
 * statement is limited to 100 KB).
 */
export function ledgerObjectsCsv(objects: readonly LedgerObject[]): string {
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  return objects
    .map((o) => `${q(o.bucket)},${q(o.key)},${q(o.objectVersion)},${Math.floor(o.records)}\n`)
    .join('');
}
