import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { S3Client } from '@aws-sdk/client-s3';
import { getText } from '../aws/s3Objects.ts';
import {
  batchExecuteStatement,
  type Cell,
  describeStatement,
  executeStatement,
  fetchResults,
} from '../dataapi/dataApi.ts';
import { type StatementState, startedStatement } from '../dataapi/pollStatement.ts';
import { clientToken, statementName } from '../dataapi/statementIdentity.ts';
import { waitForStatement } from '../dataapi/waitForStatement.ts';
import { AlreadyLoadedError, LoadError, RowCountMismatchError, StatementFailedError } from '../errors.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { renderHook } from '../sql/hooks.ts';
import { sqlString } from '../sql/identifiers.ts';
import { buildLoadBatch, CHECK_MARKER, type LoadBatch } from '../sql/merge.ts';
import { lineMapSchema, sourceLineOf } from './lineMap.ts';
import { type PreparedReport, rowChanges, rowsDeleted } from './loadReport.ts';
import { type LoadContext, lineMapKey, partSummaryKey, partSummarySchema, stagingKeys } from './loadRun.ts';
import { ledgerTable } from './planLoad.ts';
import type { WidenedColumn } from './widenVarchar.ts';
import type { PreparedLoad } from './writeCopyManifest.ts';

/** The one transaction of a load (see buildLoadBatch), from the run's plan and prepared files. */
export function loadBatch(job: LoadJob, context: LoadContext, prepared: PreparedLoad): LoadBatch {
  const spelled = new Map(context.tableColumns.map((c) => [c.name.toLowerCase(), c.name]));
  const name = (c: string) => spelled.get(c.toLowerCase()) ?? c;
  const f = job.format;
  return buildLoadBatch({
    table: context.table,
    tableColumns: context.tableColumns.map((c) => c.name),
    fileColumns: context.fileColumns ?? undefined,
    mode: job.mode,
    keys: job.keys?.map(name),
    orderBy: job.orderBy === undefined ? undefined : name(job.orderBy),
    deleteMarker:
      job.deleteMarker === undefined
        ? undefined
        : { column: name(job.deleteMarker.column), value: job.deleteMarker.value },
    copy: {
      from: prepared.manifestUri,
      iamRole: job.iamRole,
      manifest: true,
      format:
        f.type === 'csv'
          ? { type: 'csv', delimiter: f.delimiter ?? ',', quote: f.quote ?? '"' }
          : f.type === 'json'
            ? { type: 'json', mode: jsonMode(f) }
            : // Only a SUPER column can take a nested column, and only with SERIALIZETOJSON.
              { type: 'parquet', serializeToJson: context.tableColumns.some((c) => c.type === 'super') },
      compression: f.type === 'parquet' ? 'none' : 'gzip',
      // Blank lines and bad rows were removed while preparing: COPY must now take every record.
      options: { ...job.copyOptions, ignoreBlankLines: false },
      maxErrors: 0,
    },
    objectsUri: prepared.objectsUri,
    alterTable: context.schemaChanges,
    ledger: ledgerTable(job),
    expectedRecords: prepared.records,
    runId: context.runId,
    loadId: prepared.loadId,
    label: statementName(job.name, context.runId, 'load'),
    preSql: job.preSql?.map((sql) => renderHook(sql, { table: context.table, runId: context.runId })),
    postSql: job.postSql?.map((sql) => renderHook(sql, { table: context.table, runId: context.runId })),
  });
}

/** COPY's JSON argument for the job's format. */
export function jsonMode(f: LoadJob['format']): 'auto' | 'auto ignorecase' | `s3://${string}` {
  if (f.jsonPaths !== undefined) return f.jsonPaths as `s3://${string}`;
  return f.keys === 'ignorecase' ? 'auto ignorecase' : 'auto';
}

/**
 * Starts the load transaction (one BatchExecuteStatement). Its client token covers the
 * execution, the run and the manifest: a retried start (Lambda or Step Functions retry) returns
 * the statement already running instead of a second one, while a new execution of a failed run
 * gets a new statement.
 */
export async function startLoad(
  client: RedshiftDataClient,
  job: LoadJob,
  context: LoadContext,
  prepared: PreparedLoad,
  now: number,
  executionName = '',
): Promise<StatementState> {
  const batch = loadBatch(job, context, prepared);
  const id = await batchExecuteStatement(client, {
    target: job.target,
    sqls: batch.sqls,
    name: statementName(job.name, context.runId, 'load'),
    clientToken: clientToken(context.runId, `load:${executionName}:${prepared.loadId}`),
  });
  return startedStatement(id, now, job.timeouts.statement, 'load');
}

/**
 * A load's summary (`$.result`). No `manifestUri` on purpose: the Spark step reads
 * `result.manifestUri` as an export's `_manifest.json`, and the COPY manifest is removed with
 * staging when the load ends.
 */
export interface LoadResult {
  table: string;
  mode: LoadJob['mode'];
  objects: number;
  /** Records in the files = rows staged by COPY. */
  records: number;
  rejected: number;
  /** Rows merged into the target (after de-duplication on the keys). */
  merged: number;
  /** Target rows replaced (upsert: matched by key; replace: every row before; merge updates, so 0). */
  deleted: number;
  rowsBefore: number;
  rowsAfter: number;
  /** True when the ledger already had this batch: nothing was changed (a retry or a duplicate). */
  alreadyLoaded: boolean;
  /** Records read from the files (staged + rejected). */
  rowsRead: number;
  /** VARCHAR columns widened before the load (widenVarchar): not undone when the load fails. */
  widened?: WidenedColumn[];
  /** Rows added to the target, target rows replaced by key (upsert), rows removed (replace). */
  inserted: number;
  updated: number;
  perObject: PreparedReport['perObject'];
  rejectedSamples: PreparedReport['rejectedSamples'];
  /** Target rows deleted by key by the batch's delete markers (present with a deleteMarker). */
  deletedByMarker?: number;
  /** preSql/postSql statements run in the transaction (present when the job has hooks). */
  preSql?: number;
  postSql?: number;
}

/**
 * Reads the counts the finished transaction selected. A batch the ledger already had changed
 * nothing: fine when all its objects were loaded (a retry or a duplicate event), an
 * AlreadyLoadedError when only some were (another run took them; run again for the rest).
 */
export async function finishLoad(
  client: RedshiftDataClient,
  job: LoadJob,
  context: LoadContext,
  prepared: PreparedLoad,
  statement: StatementState,
): Promise<LoadResult> {
  const batch = loadBatch(job, context, prepared);
  const n = batch.steps.indexOf('result') + 1;
  let row: Cell[] | undefined;
  for await (const page of fetchResults(client, `${statement.id}:${n}`)) row ??= page.rows[0];
  if (row === undefined || row.length < 7) {
    throw new StatementFailedError(
      `Load statement ${statement.id} finished but its result (sub-statement ${n}) has no counts row; check the statement in the console before running again.`,
      { context: { statementId: statement.id } },
    );
  }
  const [staged, merged, before, matched, already, after, objects, removed] = row.map((v) => Number(v));
  const result: LoadResult = {
    table: `${context.table.schema}.${context.table.name}`,
    mode: job.mode,
    objects: prepared.objects,
    records: staged ?? 0,
    rejected: prepared.rejected,
    merged: merged ?? 0,
    deleted: rowsDeleted(job.mode, merged ?? 0, matched ?? 0),
    rowsBefore: before ?? 0,
    rowsAfter: after ?? 0,
    alreadyLoaded: (already ?? 0) > 0,
    rowsRead: (staged ?? 0) + prepared.rejected,
    ...rowChanges(job.mode, merged ?? 0, matched ?? 0),
    perObject: prepared.report?.perObject ?? [],
    rejectedSamples: prepared.report?.rejectedSamples ?? [],
    ...(prepared.widen === undefined || prepared.widen.length === 0 ? {} : { widened: prepared.widen }),
    ...(job.deleteMarker ? { deletedByMarker: removed ?? 0 } : {}),
    ...(job.preSql ? { preSql: job.preSql.length } : {}),
    ...(job.postSql ? { postSql: job.postSql.length } : {}),
  };
  if (result.alreadyLoaded && already !== objects) {
    throw new AlreadyLoadedError(
      `${already} of the ${objects} objects of this load were loaded into ${result.table} by another run meanwhile, so nothing was loaded. Start the run again: the ledger will skip the loaded ones.`,
    );
  }
  // A batch the ledger already had changed nothing: report no rows as loaded by this run.
  return result.alreadyLoaded
    ? {
        ...result,
        records: 0,
        merged: 0,
        deleted: 0,
        inserted: 0,
        updated: 0,
        ...(job.deleteMarker ? { deletedByMarker: 0 } : {}),
      }
    : result;
}

export interface LoadErrorRow {
  file: string;
  line: number;
  column: string;
  reason: string;
}

/** stl_load_errors-style detail of this run's COPY: rows about files under its staging prefix. */
export function loadErrorsSql(stagingPrefix: string): string {
  return (
    'SELECT TRIM(file_name) AS file_name, line_number, TRIM(column_name) AS column_name, TRIM(error_message) AS error_message ' +
    `FROM sys_load_error_detail WHERE file_name LIKE ${sqlString(`${likeEscape(stagingPrefix)}%`)} ` +
    'ORDER BY start_time DESC, line_number LIMIT 20'
  );
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * After the load batch FAILED: names the step that failed and throws the error that says why.
 * A reconciliation check -> RowCountMismatchError (the transaction rolled back); the COPY ->
 * LoadError with the file, line, column and reason from sys_load_error_detail; anything else ->
 * StatementFailedError naming the step.
 */
export async function explainLoadFailure(
  client: RedshiftDataClient,
  job: LoadJob,
  context: LoadContext,
  prepared: PreparedLoad,
  statement: StatementState,
  options: {
    now?: () => number;
    parts?: readonly { index: number; bucket: string; key: string }[];
    /** Reads the part summaries and line maps in staging, to name the source line. */
    s3?: S3Client | undefined;
  } = {},
): Promise<never> {
  const batch = loadBatch(job, context, prepared);
  const d = await describeStatement(client, statement.id);
  const failedIndex = d.subStatements.findIndex((s) => s.status === 'FAILED');
  const step = failedIndex >= 0 ? batch.steps[failedIndex] : undefined;
  const error =
    (failedIndex >= 0 ? d.subStatements[failedIndex]?.error : undefined) ?? d.error ?? 'no error text';
  const table = `${context.table.schema}.${context.table.name}`;

  const marker = error.indexOf(CHECK_MARKER);
  if (marker >= 0 || step === 'check-staged' || step === 'check-merged') {
    const detail =
      marker >= 0 ? error.slice(marker + CHECK_MARKER.length + 1).replace(/["']+\s*$/, '') : error;
    const advice = /^merged/.test(detail)
      ? 'Something else changed the table inside the transaction (a trigger or rule?)'
      : 'COPY read the files differently than they were checked (compare the files with stl_load_errors)';
    throw new RowCountMismatchError(
      `Load into ${table} rolled back: row counts disagree (${detail}). Nothing was loaded. ${advice}; fix that and run again.`,
      { context: { statementId: statement.id, step } },
    );
  }
  if (step === 'copy' || /stl_load_errors|load_error/i.test(error)) {
    const rows = await queryLoadErrors(client, job, context, options.now ?? Date.now);
    const first = rows[0];
    if (first !== undefined) {
      const at = options.s3 === undefined ? undefined : await sourceLine(options.s3, context, first);
      if (at !== undefined) {
        throw new LoadError(
          `COPY into ${table} failed and nothing was loaded: ${at.file} line ${at.line}` +
            `${first.column === '' ? '' : `, column "${first.column}"`}: ${first.reason}` +
            ` (COPY read it from ${first.file} line ${first.line})` +
            `${rows.length > 1 ? ` (+${rows.length - 1} more in sys_load_error_detail)` : ''}. Fix the source and load it again.`,
          { context: { statementId: statement.id, source: at, errors: rows, redshiftError: error } },
        );
      }
      const source = sourceOfChunk(first.file, context, options.parts ?? []);
      throw new LoadError(
        `COPY into ${table} failed and nothing was loaded: ${first.file} line ${first.line}` +
          `${first.column === '' ? '' : `, column "${first.column}"`}: ${first.reason}` +
          `${source === undefined ? '' : ` (prepared from ${source})`}` +
          `${rows.length > 1 ? ` (+${rows.length - 1} more in sys_load_error_detail)` : ''}. Fix the source and load it again.`,
        { context: { statementId: statement.id, errors: rows, redshiftError: error } },
      );
    }
    throw new LoadError(`COPY into ${table} failed and nothing was loaded: ${error}`, {
      context: { statementId: statement.id, redshiftError: error },
    });
  }
  throw new StatementFailedError(
    `Load into ${table} failed at step "${step ?? 'unknown'}" and was rolled back: ${error}. Fix the cause and run again.`,
    { context: { statementId: statement.id, step, redshiftError: error } },
  );
}

/**
 * The source object and line of a chunk line that COPY rejected, from the part's summary and
 * line map in staging (written by preparePart); undefined when they cannot be read.
 */
export async function sourceLine(
  s3: S3Client,
  context: LoadContext,
  row: Pick<LoadErrorRow, 'file' | 'line'>,
): Promise<{ file: string; line: number } | undefined> {
  const m = /\/chunks\/p(\d{5})-c(\d{3})\.[a-z.]+$/.exec(row.file);
  if (m === null || row.line < 1) return undefined;
  const staging = stagingKeys(context);
  if (!row.file.startsWith(`s3://${staging.bucket}/${staging.prefix}chunks/`)) return undefined;
  const index = Number(m[1]);
  try {
    const [summaryText, mapText] = await Promise.all([
      getText(s3, staging.bucket, partSummaryKey(staging, index)),
      getText(s3, staging.bucket, lineMapKey(staging, index)),
    ]);
    if (summaryText === undefined || mapText === undefined) return undefined;
    const summary = partSummarySchema.parse(JSON.parse(summaryText));
    const map = lineMapSchema.parse(JSON.parse(mapText));
    const line = sourceLineOf(map.chunks[Number(m[2])] ?? [], row.line);
    return line === undefined ? undefined : { file: `s3://${summary.bucket}/${summary.key}`, line };
  } catch {
    return undefined;
  }
}

/** The source object a prepared chunk came from (chunk `p00003-...` is part 3 of the plan). */
function sourceOfChunk(
  file: string,
  context: LoadContext,
  parts: readonly { index: number; bucket: string; key: string }[],
): string | undefined {
  const m = /\/chunks\/p(\d{5})-c\d{3}/.exec(file);
  if (m === null) return undefined;
  const part = parts.find((p) => p.index === Number(m[1]));
  return part === undefined
    ? `part ${Number(m[1])} of run ${context.runId}`
    : `s3://${part.bucket}/${part.key}`;
}

/** A small diagnostic query: started, then long-polled (at most ~40 s) in this one invocation. */
async function queryLoadErrors(
  client: RedshiftDataClient,
  job: LoadJob,
  context: LoadContext,
  now: () => number,
): Promise<LoadErrorRow[]> {
  try {
    const id = await executeStatement(client, {
      target: job.target,
      sql: loadErrorsSql(context.stagingPrefix),
      name: statementName(job.name, context.runId, 'load-errors'),
      clientToken: clientToken(context.runId, `load-errors:${now()}`),
    });
    const { description } = await waitForStatement(client, id, { timeoutMs: 40_000, now });
    if (description.status !== 'FINISHED') return [];
    const rows: LoadErrorRow[] = [];
    for await (const page of fetchResults(client, id)) {
      for (const [file, line, column, reason] of page.rows) {
        rows.push({
          file: String(file ?? ''),
          line: Number(line ?? 0),
          column: String(column ?? ''),
          reason: String(reason ?? ''),
        });
      }
    }
    return rows;
  } catch {
    return [];
  }
}
