import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { putText } from '../aws/s3Objects.ts';
import { parseS3Uri, s3Url } from '../aws/s3Uri.ts';
import { csvRecords } from '../csv/csvRecords.ts';
import { batchExecuteStatement, type Cell, fetchResults } from '../dataapi/dataApi.ts';
import { type StatementState, startedStatement } from '../dataapi/pollStatement.ts';
import { clientToken, statementName } from '../dataapi/statementIdentity.ts';
import {
  JobValidationError,
  NoSourceObjectsError,
  PartProcessingError,
  SchemaMismatchError,
  SourceChangedError,
  TransientError,
} from '../errors.ts';
import { type LoadJob, loadJobSchema } from '../job/loadJob.ts';
import { resolveJob } from '../job/resolveJob.ts';
import { deriveRunId, type ExecutionInput, utcDate } from '../job/runContext.ts';
import { resolveTemplate, templateValues } from '../job/templates.ts';
import { buildCreateTable } from '../sql/createTable.ts';
import { parseQualifiedName, type QualifiedName } from '../sql/identifiers.ts';
import { ledgerLookupSql, objectVersion } from '../sql/ledger.ts';
import { setQueryGroup } from '../sql/queryGroup.ts';
import { planSchemaChanges } from '../sql/schemaEvolution.ts';
import { addColumnsFromText, appendAddedColumns } from './addColumns.ts';
import { planChunks } from './chunkPlan.ts';
import { ensureLedger } from './ensureLedger.ts';
import { headerColumns } from './headerNames.ts';
import { inferSourceColumns } from './inferSource.ts';
import type { LoadContext, LoadPart } from './loadRun.ts';
import { parquetRedshiftType } from './parquetTypes.ts';
import { compressionFromKey, decompress, openObject, rangedObject, utf8Text } from './sourceStream.ts';
import { parseTargetColumns, type TargetColumn, targetColumnsSql } from './targetColumns.ts';
import { widenableColumns } from './widenVarchar.ts';

/**
 * At most this many objects per run (the rest are left for the next run, the ledger skips done
 * ones). With a state bucket, runs above `inlineMaxParts` go to a Distributed Map through an
 * items file (one child execution per object, each with its own history), so the bound is the
 * design's 100,000 parts; without one the parts travel in the state (under 256 KiB), so fewer.
 */
export const MAX_OBJECTS_PER_RUN = 100_000;
export const MAX_INLINE_OBJECTS_PER_RUN = 200;
/** Parts above this many JSON bytes go distributed whatever their count (the state is 256 KiB). */
export const INLINE_PARTS_BUDGET_BYTES = 128 * 1024;
/** The plan reports at most this many skipped objects by name (and all of them in `skippedCount`). */
export const MAX_SKIPPED_LISTED = 50;

/** Run state of a load in the state bucket: the Distributed Map's items and results. */
export function loadStatePrefix(jobName: string, runId: string): string {
  return `load-runs/${jobName}/${runId}/`;
}

/** The run as every load task after the plan sees it. */
export const loadRunSchema = z
  .object({
    runId: z.string().min(1),
    runDate: z.string(),
    jobName: z.string(),
    job: loadJobSchema,
    stagingPrefix: z.string(),
    plannedAt: z.number().int(),
  })
  .strict();
export type LoadRun = z.infer<typeof loadRunSchema>;

/** Which sub-statement of the plan batch answers what (1-based, as `<id>:<n>`). */
export const planQueriesSchema = z
  .object({
    columns: z.number().int().positive(),
    ledger: z.array(z.object({ bucket: z.string(), statement: z.number().int().positive() }).strict()),
    slices: z.number().int().positive().nullable(),
  })
  .strict();
export type PlanQueries = z.infer<typeof planQueriesSchema>;

export interface StartLoadPlanInput {
  input: ExecutionInput;
  executionName?: string | undefined;
  jobsDir?: string | undefined;
  now: number;
  /** RT_CLUSTER_SLICES: used when the job gives no `slices`, instead of asking stv_slices. */
  slicesFromEnv?: number | undefined;
  redshiftData: RedshiftDataClient;
  /** Reads the first Parquet footer for `createTable` without declared columns. */
  s3?: S3Client | undefined;
}

/** The target table of a job as schema + name (default schema `public`). */
export function targetTable(job: LoadJob): Required<QualifiedName> {
  const q = typeof job.table === 'string' ? parseQualifiedName(job.table) : job.table;
  return { schema: q.schema ?? 'public', name: q.name };
}

export function ledgerTable(job: LoadJob): QualifiedName {
  return { schema: job.ledger.schema, name: job.ledger.table };
}

/**
 * Validates the job, fixes the run id, date and staging prefix, makes sure the ledger exists
 * (ensureLedger), and starts one batch that reads what the plan needs from Redshift: the
 * target's columns, the ledger rows for the sources, and (unless configured) the slice count.
 * Polled by the state machine; planLoad reads the answers.
 */
export async function startLoadPlan(
  i: StartLoadPlanInput,
): Promise<LoadRun & { statement: StatementState; queries: PlanQueries }> {
  const { job } = await resolveJob(i.input, 'load', { jobsDir: i.jobsDir });
  if (job.source === undefined) {
    throw new JobValidationError(
      `Job "${job.name}" has no "source": it loads the object of an S3 event. Start it from the trigger, or give source.objects to load by hand.`,
    );
  }
  const runDate = i.input.runDate ?? utcDate(new Date(i.now));
  const runId = i.input.runId ?? deriveRunId({ jobName: job.name, runDate, executionName: i.executionName });
  const values = templateValues({ runDate, runId, jobName: job.name });
  const staging = resolveTemplate(job.staging, values, 'staging');
  const stagingPrefix = `${staging.endsWith('/') ? staging : `${staging}/`}${job.name}/${runId}/`;
  // A scheduled load names its day's folder with placeholders: `s3://landing/sales/{runDate}/`.
  const source =
    'prefix' in job.source
      ? { ...job.source, prefix: resolveTemplate(job.source.prefix, values, 'source.prefix') }
      : job.source;

  const table = targetTable(job);
  await ensureLedger(i.redshiftData, {
    target: job.target,
    ledger: ledgerTable(job),
    jobName: job.name,
    runId,
    now: () => Date.now(),
  });
  // A missing target is created first, in the same batch (IF NOT EXISTS: never alters a table).
  const create = job.createTable;
  const sqls = [setQueryGroup(statementName(job.name, runId, 'plan'))];
  if (create !== undefined)
    sqls.push(
      buildCreateTable({
        table,
        ...create,
        columns:
          create.columns ??
          (job.format.type === 'parquet'
            ? await parquetFooterColumns(i.s3, { ...job, source })
            : await inferredColumns(i.s3, { ...job, source })),
      }),
    );
  sqls.push(targetColumnsSql(table));
  const columns = sqls.length;
  const ledger: PlanQueries['ledger'] = [];
  for (const lookup of ledgerLookups({ ...job, source })) {
    sqls.push(ledgerLookupSql({ ledger: ledgerTable(job), table, ...lookup }));
    ledger.push({ bucket: lookup.bucket, statement: sqls.length });
  }
  const sliceCount = job.slices ?? i.slicesFromEnv;
  let slices: number | null = null;
  if (sliceCount === undefined) {
    sqls.push('SELECT COUNT(*) FROM stv_slices');
    slices = sqls.length;
  }
  const step = `plan:${i.executionName ?? ''}`;
  const id = await batchExecuteStatement(i.redshiftData, {
    target: job.target,
    sqls,
    name: statementName(job.name, runId, 'plan'),
    clientToken: clientToken(runId, step),
  });
  return {
    runId,
    runDate,
    jobName: job.name,
    job: { ...job, source, ...(sliceCount === undefined ? {} : { slices: sliceCount }) },
    stagingPrefix,
    plannedAt: i.now,
    statement: startedStatement(id, i.now, job.timeouts.statement, 'plan'),
    queries: { columns, ledger, slices },
  };
}

/** Per bucket: the ledger rows to read (by key list when short, else by the common prefix). */
function ledgerLookups(job: LoadJob): { bucket: string; keyPrefix: string; keys?: string[] }[] {
  const source = job.source;
  if (source === undefined) return [];
  if ('prefix' in source) {
    const { bucket, key } = parseS3Uri(source.prefix);
    return [{ bucket, keyPrefix: key }];
  }
  const byBucket = new Map<string, string[]>();
  for (const o of source.objects) {
    const { bucket, key } = parseS3Uri(typeof o === 'string' ? o : o.uri);
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), key]);
  }
  return [...byBucket].map(([bucket, keys]) =>
    keys.length <= 200
      ? { bucket, keyPrefix: commonPrefix(keys), keys }
      : { bucket, keyPrefix: commonPrefix(keys) },
  );
}

function commonPrefix(keys: readonly string[]): string {
  if (keys.length === 0) return '';
  let prefix = keys[0] ?? '';
  for (const k of keys) while (!k.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

export interface PlanLoadInput {
  run: LoadRun;
  statement: StatementState;
  queries: PlanQueries;
  s3: S3Client;
  redshiftData: RedshiftDataClient;
  /** RT_STATE_BUCKET: large runs put their part list there for a Distributed Map. */
  stateBucket?: string | undefined;
  /** Above this many parts, the Distributed Map (when there is a state bucket). */
  inlineMaxParts?: number | undefined;
}

export interface LoadPlan {
  context: LoadContext;
  /** `inline`: the parts are in `parts`; `distributed`: in `itemsKey` of the state bucket. */
  mode: 'inline' | 'distributed';
  parts: LoadPart[];
  itemsKey?: string | undefined;
  /** Where the Distributed Map's ResultWriter puts its files (state bucket). */
  resultsPrefix: string;
  /**
   * Objects not loaded (the first MAX_SKIPPED_LISTED of them, empty ones first): loaded already
   * by the run `loadedBy` (the ledger), or 0-byte objects under the prefix (`reason`).
   */
  skipped: SkippedObject[];
  /** How many objects were skipped (loaded already or empty). */
  skippedCount: number;
  /** Objects left for a later run (more than MAX_OBJECTS_PER_RUN). */
  deferred: number;
  /** True when every source object was loaded before: the run succeeds without loading. */
  nothingToDo: boolean;
}

export type SkippedObject = { uri: string; loadedBy: string } | { uri: string; reason: typeof EMPTY_OBJECT };

/** Why a 0-byte object under a source prefix was not loaded (in the report's skipped list). */
export const EMPTY_OBJECT = 'empty object';

interface SourceObject {
  bucket: string;
  key: string;
  versionId?: string | undefined;
  etag: string;
  size: number;
}

/**
 * Reads the plan batch's answers, lists the sources, drops the objects the ledger has, fixes the
 * column order of the prepared files, and splits the work into parts (one per object) whose
 * chunk counts add up to a multiple of the slices.
 */
export async function planLoad(i: PlanLoadInput): Promise<LoadPlan> {
  const { job } = i.run;
  const table = targetTable(job);
  const rows = async (n: number) => {
    const all: Cell[][] = [];
    for await (const page of fetchResults(i.redshiftData, `${i.statement.id}:${n}`)) all.push(...page.rows);
    return all;
  };
  const tableColumns = parseTargetColumns(table, await rows(i.queries.columns));
  // Columns added by schemaEvolution are appended; only the table's own can be widened beforehand.
  const ownColumns = tableColumns.length;
  const addColumns = job.schemaEvolution?.includes('addColumns') === true && job.columns === undefined;
  let schemaChanges =
    addColumns && job.format.type === 'parquet'
      ? await evolveFromParquet(i.s3, job, table, tableColumns)
      : undefined;
  const loaded = new Map<string, string>();
  for (const lookup of i.queries.ledger) {
    for (const [key, version, runId] of await rows(lookup.statement)) {
      loaded.set(`${lookup.bucket}\n${key}\n${version}`, String(runId));
    }
  }
  const slices =
    i.queries.slices === null
      ? (job.slices ?? 1)
      : Math.max(1, Number((await rows(i.queries.slices))[0]?.[0] ?? 1));

  const { objects, empty } = await listSources(i.s3, job);
  const skipped: LoadPlan['skipped'] = empty.map((o) => ({ uri: s3Url(o), reason: EMPTY_OBJECT }));
  const pending: SourceObject[] = [];
  for (const o of objects) {
    const by = loaded.get(`${o.bucket}\n${o.key}\n${objectVersion(o)}`);
    if (by === undefined) pending.push(o);
    else skipped.push({ uri: s3Url(o), loadedBy: by });
  }
  const todo = pending.slice(
    0,
    i.stateBucket === undefined ? MAX_INLINE_OBJECTS_PER_RUN : MAX_OBJECTS_PER_RUN,
  );
  const skippedCount = skipped.length;
  skipped.length = Math.min(skipped.length, MAX_SKIPPED_LISTED);
  const compression = (key: string) =>
    job.format.type === 'parquet'
      ? 'none'
      : job.format.compression === 'auto'
        ? compressionFromKey(key)
        : job.format.compression;

  const first = todo[0];
  if (addColumns && job.format.type !== 'parquet' && first !== undefined)
    schemaChanges = await addColumnsFromText(i.s3, job, table, tableColumns, first);
  const fileColumns =
    job.format.type === 'json'
      ? job.format.jsonPaths === undefined
        ? null
        : mapColumns(job.columns ?? tableColumns.map((c) => c.name), tableColumns, '"columns" in the job')
      : job.columns !== undefined
        ? mapColumns(job.columns, tableColumns, '"columns" in the job')
        : job.format.type === 'csv' && job.format.header && first !== undefined
          ? headerColumns(
              await readHeader(i.s3, job, { ...first, compression: compression(first.key) }),
              tableColumns,
              job.columnMap,
              `The header of ${s3Url(first)} (line ${(job.format.skipLines ?? 0) + 1})`,
            )
          : tableColumns.map((c) => c.name);
  checkColumns(job, tableColumns, fileColumns);

  const counts =
    job.format.type === 'parquet'
      ? todo.map(() => 1)
      : planChunks(
          todo.map((o) => o.size),
          job.chunkSize * 1024 * 1024,
          slices,
        );
  const parts: LoadPart[] = todo.map((o, index) => ({
    index,
    bucket: o.bucket,
    key: o.key,
    ...(o.versionId === undefined ? {} : { versionId: o.versionId }),
    etag: o.etag,
    size: o.size,
    chunks: counts[index] ?? 1,
    compression: compression(o.key),
  }));
  const statePrefix = loadStatePrefix(job.name, i.run.runId);
  const distributed =
    i.stateBucket !== undefined &&
    (parts.length > (i.inlineMaxParts ?? 100) ||
      Buffer.byteLength(JSON.stringify(parts)) > INLINE_PARTS_BUDGET_BYTES);
  let itemsKey: string | undefined;
  if (distributed && i.stateBucket !== undefined) {
    // JSON Lines: read as a stream by the ItemReader, with no size limit worth worrying about at
    // 100,000 parts (~20 MB), unlike one JSON array.
    itemsKey = `${statePrefix}parts.jsonl`;
    await putText(i.s3, i.stateBucket, itemsKey, partsJsonLines(parts), 'application/x-ndjson');
  }
  return {
    mode: distributed ? 'distributed' : 'inline',
    ...(itemsKey === undefined ? {} : { itemsKey }),
    resultsPrefix: `${statePrefix}map-results`,
    context: {
      runId: i.run.runId,
      runDate: i.run.runDate,
      stagingPrefix: i.run.stagingPrefix,
      table,
      tableColumns: [
        ...widenableColumns(job, tableColumns.slice(0, ownColumns)),
        ...tableColumns.slice(ownColumns),
      ],
      fileColumns,
      ...(schemaChanges === undefined || schemaChanges.length === 0 ? {} : { schemaChanges }),
      slices,
      partCount: parts.length,
    },
    parts: distributed ? [] : parts,
    skipped,
    skippedCount,
    deferred: pending.length - todo.length,
    nothingToDo: parts.length === 0,
  };
}

/**
 * schemaEvolution for Parquet: compares the first source object's footer with the target and
 * returns the ADD COLUMN statements it allows (planSchemaChanges; anything else is a
 * SchemaMismatchError). The added columns join `tableColumns` (nullable, appended in file order:
 * ADD COLUMN appends, so positions keep matching the file's), for prepare's checks and the COPY.
 */
async function evolveFromParquet(
  s3: S3Client,
  job: LoadJob,
  table: Required<QualifiedName>,
  tableColumns: TargetColumn[],
): Promise<string[]> {
  const found = await parquetFooterColumns(s3, job);
  const changes = planSchemaChanges({
    table,
    tableColumns,
    // A footer says "string", not how long: existing VARCHARs are checked value by value in prepare.
    fileColumns: found.map((c) => ({ ...c, lengthUnknown: true })),
    evolution: job.schemaEvolution ?? [],
    where: 'The Parquet footer of the first source object',
  });
  appendAddedColumns(tableColumns, found);
  return changes.addColumns;
}

/** The Distributed Map's items file: one part per line. */
export function partsJsonLines(parts: readonly LoadPart[]): string {
  return parts.map((p) => `${JSON.stringify(p)}\n`).join('');
}

/** The source objects with their ETag, size and (when known) version id. */
async function listSources(
  s3: S3Client,
  job: LoadJob,
): Promise<{ objects: SourceObject[]; empty: SourceObject[] }> {
  const source = job.source;
  if (source === undefined) return { objects: [], empty: [] };
  const out: SourceObject[] = [];
  // 0-byte objects under a prefix (markers, aborted writes) hold no rows: skipped, but reported.
  const empty: SourceObject[] = [];
  if ('prefix' in source) {
    const { bucket, key: prefix } = parseS3Uri(source.prefix);
    let token: string | undefined;
    do {
      const page = await s3
        .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
        .catch((error: unknown) => {
          throw s3Error(error, `listing ${source.prefix}`);
        });
      for (const o of page.Contents ?? []) {
        const key = o.Key ?? '';
        if (key === '' || key.endsWith('/')) continue;
        if (source.suffix !== undefined && !key.endsWith(source.suffix)) continue;
        const listed = { bucket, key, etag: (o.ETag ?? '').replace(/"/g, ''), size: o.Size ?? 0 };
        (listed.size === 0 ? empty : out).push(listed);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    if (out.length === 0) {
      throw new NoSourceObjectsError(
        `No object to load under ${source.prefix}${source.suffix === undefined ? '' : ` ending in "${source.suffix}"`}${empty.length === 0 ? '' : ` (${empty.length} empty object(s) of 0 bytes, e.g. ${s3Url(empty[0] as SourceObject)})`}. Check source.prefix (and suffix) in job "${job.name}".`,
      );
    }
    const byKey = (a: SourceObject, b: SourceObject) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    return { objects: out.sort(byKey), empty: empty.sort(byKey) };
  }
  // Up to 10,000 listed objects (a large transfer): HEAD them HEAD_CONCURRENCY at a time, in order.
  const heads: SourceObject[] = new Array(source.objects.length);
  let next = 0;
  const header = async () => {
    while (next < source.objects.length) {
      const at = next++;
      heads[at] = await headSource(s3, job, source.objects[at] as ListedObject);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, source.objects.length) }, header));
  out.push(...heads);
  const seen = new Set<string>();
  const objects = out.filter((o) => {
    const id = `${o.bucket}\n${o.key}\n${o.versionId ?? ''}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return { objects, empty };
}

const HEAD_CONCURRENCY = 16;

type ListedObject = NonNullable<Extract<LoadJob['source'], { objects: unknown }>>['objects'][number];

/** One listed source object: its ETag, size and version (HEAD). */
async function headSource(s3: S3Client, job: LoadJob, o: ListedObject): Promise<SourceObject> {
  const ref = typeof o === 'string' ? { uri: o } : o;
  const { bucket, key } = parseS3Uri(ref.uri);
  const versionId = 'versionId' in ref ? ref.versionId : undefined;
  const head = await s3
    .send(
      new HeadObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(versionId === undefined ? {} : { VersionId: versionId }),
      }),
    )
    .catch((error: unknown) => {
      const name = (error as Error).name;
      if (versionId !== undefined && (name === 'NoSuchVersion' || name === 'InvalidArgument')) {
        throw new SourceChangedError(
          `Source object ${ref.uri} has no version ${versionId}: nothing is loaded. Fix the pinned versionId in source.objects of job "${job.name}".`,
        );
      }
      if (name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchVersion') {
        throw new NoSourceObjectsError(
          `Source object ${ref.uri}${versionId === undefined ? '' : ` version ${versionId}`} does not exist. Fix source.objects in job "${job.name}".`,
        );
      }
      throw s3Error(error, `reading ${ref.uri}`);
    });
  const etag = (head.ETag ?? '').replace(/"/g, '');
  const pinned = 'etag' in ref && ref.etag !== undefined ? ref.etag.replace(/"/g, '') : undefined;
  if (pinned !== undefined && pinned !== etag) {
    throw new SourceChangedError(
      `Source object ${ref.uri}${versionId === undefined ? '' : ` version ${versionId}`} has ETag ${etag}, not the pinned ${pinned}: it changed since it was pinned, so nothing is loaded. Pin the new ETag (or remove "etag") in source.objects of job "${job.name}".`,
    );
  }
  if ((head.ContentLength ?? 0) === 0) {
    throw new NoSourceObjectsError(
      `Source object ${ref.uri} is empty (0 bytes): there is nothing to load from it. Remove it from source.objects in job "${job.name}".`,
    );
  }
  return {
    bucket,
    key,
    ...((versionId ?? head.VersionId) ? { versionId: versionId ?? head.VersionId } : {}),
    etag,
    size: head.ContentLength ?? 0,
  };
}

function s3Error(error: unknown, what: string): Error {
  const e = error as Error & { $metadata?: { httpStatusCode?: number } };
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500 || e.name === 'TimeoutError') {
    return new TransientError(`S3 failed ${what} (${e.name}); retrying.`, { cause: error });
  }
  return new PartProcessingError(`S3 refused ${what}: ${e.name}: ${e.message}`, { cause: error });
}

/** The first record of a CSV object (its header), read from the start of the stream only. */
async function readHeader(
  s3: S3Client,
  job: LoadJob,
  o: SourceObject & { compression: LoadPart['compression'] },
): Promise<string[]> {
  const label = s3Url(o);
  const bytes = decompress(await openObject(s3, o), o.compression, label);
  try {
    const dialect = { delimiter: job.format.delimiter ?? ',', quote: job.format.quote ?? '"' };
    const text = skipLines(utf8Text(bytes, label, true), job.format.skipLines ?? 0);
    for await (const record of csvRecords(text, dialect)) {
      return record.fields.map((f) => f.value.trim());
    }
    return [];
  } finally {
    bytes.destroy();
  }
}

/**
 * The columns `createTable` gives a Parquet load without declared columns: the first source
 * object's footer, top-level columns in order, typed by parquetRedshiftType.
 */
async function parquetFooterColumns(
  s3: S3Client | undefined,
  job: LoadJob,
): Promise<{ name: string; type: string }[]> {
  if (s3 === undefined) throw new Error('createTable from Parquet footers needs an S3 client');
  const [first] = (await listSources(s3, job)).objects;
  if (first === undefined) return [];
  const { parquetMetadataAsync, parquetSchema } = await import('hyparquet');
  const file = rangedObject(s3, first);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new SchemaMismatchError(
      `createTable: ${s3Url(first)} is not a readable Parquet file (${(error as Error).message}); declare createTable.columns or fix the file.`,
    );
  }
  return parquetSchema(metadata).children.map((c) => ({
    name: c.element.name.toLowerCase(),
    type: parquetRedshiftType(c.element),
  }));
}

/**
 * The columns `createTable: { infer: true }` gives a CSV/JSON load: the types inferred from the
 * first records of the first source object (the inference `validate --infer` shows).
 */
async function inferredColumns(
  s3: S3Client | undefined,
  job: LoadJob,
): Promise<{ name: string; type: string }[]> {
  if (s3 === undefined) throw new Error('createTable.infer needs an S3 client');
  const [first] = (await listSources(s3, job)).objects;
  return first === undefined ? [] : inferSourceColumns(s3, job, first, 'createTable.infer');
}

/** The text after its first `n` lines (a preamble before the header). */
async function* skipLines(text: AsyncIterable<string>, n: number): AsyncGenerator<string> {
  let left = n;
  for await (let chunk of text) {
    while (left > 0) {
      const lf = chunk.indexOf('\n');
      if (lf === -1) break;
      chunk = chunk.slice(lf + 1);
      left--;
    }
    if (left > 0) continue;
    if (chunk !== '') yield chunk;
  }
}

/** Names as the table spells them; an unknown name is a SchemaMismatchError naming `where`. */
function mapColumns(
  names: readonly string[],
  tableColumns: readonly TargetColumn[],
  where: string,
): string[] {
  const byLower = new Map(tableColumns.map((c) => [c.name.toLowerCase(), c.name]));
  const unknown = names.filter((n) => !byLower.has(n.toLowerCase()));
  if (unknown.length > 0) {
    throw new SchemaMismatchError(
      `${where} names column(s) the target table does not have: ${unknown.map((n) => `"${n}"`).join(', ')}. The table has ${tableColumns.map((c) => c.name).join(', ')}.`,
    );
  }
  return names.map((n) => byLower.get(n.toLowerCase()) as string);
}

/** Keys and orderBy must be loaded columns; NOT NULL columns without a default must be loaded. */
function checkColumns(
  job: LoadJob,
  tableColumns: readonly TargetColumn[],
  fileColumns: string[] | null,
): void {
  const loaded = new Set((fileColumns ?? tableColumns.map((c) => c.name)).map((c) => c.toLowerCase()));
  const problems: string[] = [];
  for (const key of job.keys ?? []) {
    if (!loaded.has(key.toLowerCase())) problems.push(`key "${key}" is not among the loaded columns`);
  }
  if (job.orderBy !== undefined && !loaded.has(job.orderBy.toLowerCase())) {
    problems.push(`orderBy "${job.orderBy}" is not among the loaded columns`);
  }
  const marker = job.deleteMarker?.column;
  if (marker !== undefined && !loaded.has(marker.toLowerCase())) {
    problems.push(`deleteMarker column "${marker}" is not among the loaded columns`);
  }
  for (const c of tableColumns) {
    if (!c.nullable && !c.hasDefault && !loaded.has(c.name.toLowerCase())) {
      problems.push(`NOT NULL column "${c.name}" has no default and is not in the files`);
    }
  }
  if (problems.length > 0) {
    throw new SchemaMismatchError(
      `The files do not fit table ${job.table}: ${problems.join('; ')}. Fix "columns"/"keys"/"deleteMarker" in job "${job.name}" or the table.`,
    );
  }
}
