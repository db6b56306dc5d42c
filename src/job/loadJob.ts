import { z } from 'zod';
import { tryParseS3Uri } from '../aws/s3Uri.ts';
import { lineageOptionsSchema } from '../lineage/lineageOptions.ts';
import { REDSHIFT_TYPE } from '../sql/createTable.ts';
import { hookIssues } from '../sql/hooks.ts';
import { LOAD_MODES, type LoadMode, loadModes } from '../sql/merge.ts';
import {
  type IssueReporter,
  iamRoleSchema,
  identifierIssue,
  issueReporter,
  jobNameSchema,
  redshiftTargetSchema,
  s3UriSchema,
  tableSchema,
  templatedS3UriSchema,
  timeoutsSchema,
} from './common.ts';
import { scheduleSchema } from './exportJob.ts';
import { sparkStepSchema } from './sparkStep.ts';

/**
 * The `load` job document: S3 -> Redshift. Sources are checked and prepared part by part, COPYed
 * into a temporary stage and merged into the target table in one transaction (append, replace or
 * upsert), with every loaded object version recorded in a ledger so it is loaded at most once.
 * Parsing is idempotent: the parsed document parses again to itself (later tasks re-validate it).
 */

const bucketSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name like "my-landing-bucket"');

const keyPartSchema = z
  .string()
  .max(1024)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'expected no control characters');

/** One object to load: an S3 URI, or the URI with the exact version to load. */
export const sourceObjectSchema = z.union([
  s3UriSchema,
  z
    .object({
      uri: s3UriSchema,
      versionId: z.string().min(1).max(1024).optional(),
      etag: z.string().min(1).max(200).optional(),
    })
    .strict(),
]);
export type SourceObject = z.infer<typeof sourceObjectSchema>;

export const loadSourceSchema = z.union([
  z
    .object({
      /** Every object under this prefix (keys ending in `/` are folders and skipped). */
      prefix: s3UriSchema,
      /** Only keys ending with this, e.g. `.csv.gz`. */
      suffix: keyPartSchema.optional(),
    })
    .strict(),
  z
    .object({
      objects: z.array(sourceObjectSchema).min(1).max(10_000),
    })
    .strict(),
]);
export type LoadSource = z.infer<typeof loadSourceSchema>;

/** Which S3 events start this job (see src/trigger): the object's bucket, key prefix and suffix. */
export const triggerRuleSchema = z
  .object({
    bucket: bucketSchema,
    prefix: keyPartSchema
      .refine((p) => !p.startsWith('/'), 'a key prefix does not start with "/"')
      .optional(),
    suffix: keyPartSchema.optional(),
  })
  .strict();
export type TriggerRule = z.infer<typeof triggerRuleSchema>;

const oneChar = (what: string) =>
  z.string().regex(/^[\x20-\x7e\t]$/, `expected one printable ASCII character (or a tab) as the ${what}`);

export const loadFormatSchema = z
  .object({
    type: z.enum(['csv', 'json', 'parquet']).default('csv'),
    /** CSV: the first line of each file names the columns (checked against the table, then dropped). */
    header: z.boolean().default(false),
    delimiter: oneChar('delimiter').optional(),
    quote: oneChar('quote character').optional(),
    /** `auto` picks by key suffix (`.gz`, `.zst`, `.bz2`) and checks the magic bytes. */
    compression: z.enum(['auto', 'none', 'gzip', 'zstd', 'bzip2']).default('auto'),
    /** CSV: lines before the header (or the first record) to skip, e.g. a report's preamble. */
    skipLines: z.number().int().min(0).max(1000).optional(),
    /** JSON: `ignorecase` matches field names to columns case-insensitively (COPY JSON 'auto ignorecase'). */
    keys: z.enum(['exact', 'ignorecase']).optional(),
    /** JSON: a JSONPaths file (`{"jsonpaths": ["$.a", "$['b']['c']"]}`) whose paths map to the columns by position. */
    jsonPaths: s3UriSchema.optional(),
  })
  .strict();
export type LoadFormat = z.infer<typeof loadFormatSchema>;

const formatString = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'expected no control characters');

/** The COPY conversion options we support (each maps to the COPY parameter of the same name). */
export const copyOptionsSchema = z
  .object({
    dateFormat: formatString.optional(),
    timeFormat: formatString.optional(),
    /** The string that means NULL (COPY's default is `\N`). */
    nullAs: z.string().max(100).optional(),
    emptyAsNull: z.boolean().default(false),
    blanksAsNull: z.boolean().default(false),
    trimBlanks: z.boolean().default(false),
    truncateColumns: z.boolean().default(false),
    /** Replace invalid UTF-8 (true = `?`, or the replacement character). */
    acceptInvChars: z.union([z.boolean(), oneChar('replacement character')]).default(false),
    ignoreBlankLines: z.boolean().default(false),
    /** The bucket's Region when it differs from the cluster's. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS Region like "eu-west-1"')
      .optional(),
  })
  .strict();
export type CopyOptions = z.infer<typeof copyOptionsSchema>;

const defaultCopyOptions = {
  emptyAsNull: false,
  blanksAsNull: false,
  trimBlanks: false,
  truncateColumns: false,
  acceptInvChars: false,
  ignoreBlankLines: false,
} as const;

/** `"64 MB"`, `"1 GB"` or a number of megabytes, parsed to bytes (1 MB to 1 GB, AWS's advice). */
export const chunkSizeSchema = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?\s*(MB|GB)$/i, 'expected a size like "64 MB" or "1 GB"')
      .transform((v) => {
        const n = Number.parseFloat(v);
        return /GB$/i.test(v) ? n * 1024 : n;
      }),
  ])
  .pipe(
    z
      .number()
      .min(1, 'expected at least "1 MB"')
      .max(1024, 'expected at most "1 GB"')
      .transform((mb) => Math.round(mb)),
  );

/**
 * Create the target when it does not exist: from the declared `columns` (CSV, JSON, Parquet), the
 * Parquet footer, or (CSV, JSON) with `infer: true` the types inferred from the first records of
 * the first source object, as `validate --infer` shows them; with optional distribution and sort
 * keys. An existing table is never changed.
 */
export const createTableSchema = z
  .object({
    columns: z
      .array(
        z
          .object({
            name: z.string().min(1),
            type: z
              .string()
              .trim()
              .regex(
                REDSHIFT_TYPE,
                'expected a Redshift type such as "varchar(100)", "numeric(12,2)" or "timestamp"',
              ),
          })
          .strict(),
      )
      .min(1)
      .max(1600)
      .optional(),
    /** CSV/JSON without `columns`: infer the types from the first records of the first source object. */
    infer: z.boolean().optional(),
    distStyle: z.enum(['auto', 'even', 'key', 'all']).optional(),
    distKey: z.string().min(1).optional(),
    sortKey: z.array(z.string().min(1)).min(1).max(400).optional(),
  })
  .strict();
export type CreateTableOptions = z.infer<typeof createTableSchema>;

export const ledgerOptionsSchema = z
  .object({
    /** Schema of the ledger table (created if missing). */
    schema: z.string().min(1).max(127).default('public'),
    table: z.string().min(1).max(127).default('rt_load_ledger'),
  })
  .strict()
  .default({ schema: 'public', table: 'rt_load_ledger' });

/** preSql/postSql: at most 10 statements each, checked by hookIssues (src/sql/hooks.ts). */
const hookListSchema = z.array(z.string().trim().min(1).max(60_000)).min(1).max(10);

// One table of modes (src/sql/merge.ts): the schema, the SQL and the docs read it.
export { type LoadMode, loadModes } from '../sql/merge.ts';

/** Key columns: upsert replaces target rows with these keys; duplicates in the batch are reduced to one. */
export const mergeKeysSchema = z.array(z.string().min(1)).min(1).max(32);
/** Among rows of the batch with the same keys the one with the greatest value here wins. */
export const orderBySchema = z.string().min(1);

/** Source rows whose `column` equals `value` delete the target row with their keys (upsert, merge). */
export const deleteMarkerSchema = z
  .object({
    column: z.string().min(1),
    value: z.union([z.string(), z.number(), z.boolean()], {
      error: 'give the value that marks a row as deleted: a string, number or boolean',
    }),
  })
  .strict();
export type DeleteMarker = z.infer<typeof deleteMarkerSchema>;

/**
 * The rules of `mode`, `keys`, `orderBy` and `deleteMarker` wherever a load's destination is written: a load job
 * (at the top) and a transfer's `destination`.
 */
export function mergeRuleIssues(
  d: {
    mode: LoadMode;
    keys?: string[] | undefined;
    orderBy?: string | undefined;
    deleteMarker?: DeleteMarker | undefined;
  },
  at: (string | number)[],
  issue: IssueReporter,
): void {
  const marker = d.deleteMarker;
  if (marker !== undefined) {
    if (!LOAD_MODES[d.mode].takesDeleteMarker) {
      const modes = loadModes.filter((m) => LOAD_MODES[m].takesDeleteMarker).join(' or ');
      issue([...at, 'deleteMarker'], `deletes target rows by key: use mode ${modes}, not "${d.mode}"`);
    }
    identifierIssue(marker.column, [...at, 'deleteMarker', 'column'], issue, 'name');
    if ((d.keys ?? []).some((k) => k.toLowerCase() === marker.column.toLowerCase())) {
      issue(
        [...at, 'deleteMarker', 'column'],
        `"${marker.column}" is a key: the marker must be another column of the target table`,
      );
    }
  }
  if (LOAD_MODES[d.mode].needsKeys && d.keys === undefined) {
    issue([...at, 'keys'], `mode "${d.mode}" needs "keys": the columns that identify a row`);
  }
  if (d.orderBy !== undefined && d.keys === undefined) {
    issue([...at, 'orderBy'], '"orderBy" picks a winner among rows with the same keys: give "keys" too');
  }
}

export const loadJobSchema = z
  .object({
    kind: z.literal('load'),
    name: jobNameSchema,
    description: z.string().max(1000).optional(),
    target: redshiftTargetSchema,
    iamRole: iamRoleSchema,
    /** The target table, `schema.table` or `{schema, name}`. */
    table: tableSchema,
    /** What to load when run by hand or on a schedule; an S3 event replaces it with its one object. */
    source: loadSourceSchema.optional(),
    trigger: triggerRuleSchema.optional(),
    format: loadFormatSchema.default({ type: 'csv', header: false, compression: 'auto' }),
    copyOptions: copyOptionsSchema.default(defaultCopyOptions),
    /** The file's columns in file order, when they differ from the table's (or there is no header). */
    columns: z.array(z.string().min(1)).min(1).max(1600).optional(),
    /** CSV with a header: header names (as written) mapped to table columns, e.g. `{"Airport Name": "airport_name"}`. */
    columnMap: z.record(z.string().min(1), z.string().min(1)).optional(),
    createTable: createTableSchema.optional(),
    /**
     * What a load may change in an existing target: `addColumns` (new nullable columns found in
     * Parquet files), `widenVarchar` (CSV/JSON: VARCHAR columns widened in place, before the load
     * transaction, when values are longer). Left out: nothing; any difference fails as before.
     */
    schemaEvolution: z
      .array(z.enum(['addColumns', 'widenVarchar']))
      .min(1)
      .optional(),
    mode: z.enum(loadModes).default('append'),
    keys: mergeKeysSchema.optional(),
    orderBy: orderBySchema.optional(),
    deleteMarker: deleteMarkerSchema.optional(),
    /** Bad rows tolerated in the whole load (reported and skipped); 0 = any bad row fails the run. */
    maxErrors: z.number().int().min(0).max(100_000).default(0),
    /** Our working prefix: prepared chunks and the COPY manifest go under `<staging>/<job>/<runId>/`. */
    staging: templatedS3UriSchema,
    /** Target size of a prepared gzip chunk (before compression is unknown, so measured on input). */
    chunkSize: chunkSizeSchema.default(64),
    /** Slices of the cluster (the chunk count is a multiple of it); default: asked from Redshift. */
    slices: z.number().int().min(1).max(12_800).optional(),
    keepStaging: z.boolean().default(false),
    ledger: ledgerOptionsSchema,
    timeouts: timeoutsSchema,
    spark: sparkStepSchema.optional(),
    /** Run on a schedule (EventBridge Scheduler), e.g. a nightly load of a prefix. */
    schedule: scheduleSchema.optional(),
    /** Statements run in the load transaction before the COPY (one statement each; `{table}`, `{runId}`). */
    preSql: hookListSchema.optional(),
    /** Statements run in the load transaction after the merge (e.g. GRANT, ANALYZE); same rules. */
    postSql: hookListSchema.optional(),
    /** OpenLineage run events (START, COMPLETE, FAIL) to an HTTP endpoint and/or an S3 prefix. */
    lineage: lineageOptionsSchema.optional(),
  })
  .strict()
  .superRefine((job, ctx) => {
    const issue = issueReporter(ctx);
    for (const field of ['preSql', 'postSql'] as const) {
      for (const [i, sql] of (job[field] ?? []).entries()) {
        for (const problem of hookIssues(sql)) issue([field, i], problem);
      }
    }
    const f = job.format;
    if (f.type === 'json' && job.columns !== undefined && f.jsonPaths === undefined) {
      issue(
        ['columns'],
        'JSON fields are matched to columns by name; remove "columns" (or give "format.jsonPaths")',
      );
    }
    if (f.type !== 'json') {
      if (f.keys !== undefined)
        issue(['format', 'keys'], `is for JSON; ${f.type} files name columns otherwise`);
      if (f.jsonPaths !== undefined) issue(['format', 'jsonPaths'], `is for JSON, not ${f.type}`);
    } else if (f.keys !== undefined && f.jsonPaths !== undefined) {
      issue(['format', 'keys'], 'the JSONPaths file names the fields exactly; remove "keys" or "jsonPaths"');
    }
    if (job.columnMap !== undefined) {
      if (f.type !== 'csv' || !f.header) {
        issue(
          ['columnMap'],
          'maps header names to columns: use it with format.type "csv" and format.header true',
        );
      }
      if (job.columns !== undefined) {
        issue(
          ['columnMap'],
          '"columns" already names the fields by position (the header is skipped); keep one',
        );
      }
      for (const [name, column] of Object.entries(job.columnMap))
        identifierIssue(column, ['columnMap', name], issue, 'name');
    }
    if (job.createTable !== undefined) {
      const t = job.createTable;
      if (t.columns === undefined && f.type !== 'parquet' && t.infer !== true)
        issue(
          ['createTable', 'columns'],
          `declare the columns (name and type), or set createTable.infer: true to infer them from the first records of the first source object (as validate --infer shows them): ${f.type} files do not carry types`,
        );
      if (t.infer === true && (t.columns !== undefined || f.type === 'parquet'))
        issue(
          ['createTable', 'infer'],
          f.type === 'parquet'
            ? 'Parquet types come from the footer: leave infer out'
            : 'the columns are declared already: keep "columns" or "infer"',
        );
      const declared = t.columns ?? [];
      const names = new Set(declared.map((c) => c.name.toLowerCase()));
      for (const [i, c] of declared.entries())
        identifierIssue(c.name, ['createTable', 'columns', i, 'name'], issue, 'name');
      duplicates(
        declared.map((c) => c.name),
        ['createTable', 'columns'],
        issue,
      );
      // Without declared columns (Parquet) the names come from the footer when the table is created.
      if (t.columns !== undefined && t.distKey !== undefined && !names.has(t.distKey.toLowerCase()))
        issue(['createTable', 'distKey'], `"${t.distKey}" is not one of createTable.columns`);
      if (t.distKey !== undefined && t.distStyle !== undefined && t.distStyle !== 'key')
        issue(['createTable', 'distStyle'], 'a distKey needs distStyle "key" (or leave distStyle out)');
      for (const [i, c] of (t.sortKey ?? []).entries())
        if (t.columns !== undefined && !names.has(c.toLowerCase()))
          issue(['createTable', 'sortKey', i], `"${c}" is not one of createTable.columns`);
    }
    const evolution = job.schemaEvolution ?? [];
    if (evolution.includes('widenVarchar') && f.type === 'parquet') {
      issue(
        ['schemaEvolution'],
        'widenVarchar applies to CSV and JSON loads (their values are measured while preparing); for Parquet, widen the column by hand (ALTER TABLE ... ALTER COLUMN ... TYPE VARCHAR(n))',
      );
    }
    if (evolution.includes('widenVarchar') && job.copyOptions.truncateColumns) {
      issue(
        ['schemaEvolution'],
        'widenVarchar and copyOptions.truncateColumns contradict each other (widen the column, or cut the value): keep one',
      );
    }
    if (
      evolution.includes('addColumns') &&
      (job.columns !== undefined ||
        (f.type === 'csv' && !f.header) ||
        (f.type === 'json' && f.jsonPaths !== undefined))
    ) {
      // The new columns are named by the files: refused rather than accepted and silently not applied.
      issue(
        ['schemaEvolution'],
        'addColumns needs the files to name their columns: Parquet, CSV with a header, or JSON without jsonPaths, and no "columns" in the job',
      );
    }
    if (f.skipLines !== undefined && f.type !== 'csv') {
      issue(['format', 'skipLines'], `skips lines of CSV files; ${f.type} files have no preamble`);
    }
    if (job.schedule !== undefined && job.source === undefined) {
      issue(['schedule'], 'a scheduled load needs "source" (what to load on each run)');
    }
    const o = job.copyOptions;

    if (job.source === undefined && job.trigger === undefined) {
      issue(['source'], 'give "source" (a prefix or a list of objects), "trigger" (S3 events), or both');
    }
    mergeRuleIssues(job, [], issue);
    for (const [i, column] of (job.columns ?? []).entries())
      identifierIssue(column, ['columns', i], issue, 'name');
    for (const [i, column] of (job.keys ?? []).entries()) identifierIssue(column, ['keys', i], issue, 'name');
    if (job.orderBy !== undefined) identifierIssue(job.orderBy, ['orderBy'], issue, 'name');
    identifierIssue(job.ledger.schema, ['ledger', 'schema'], issue, 'name');
    identifierIssue(job.ledger.table, ['ledger', 'table'], issue, 'name');
    duplicates(job.columns ?? [], ['columns'], issue);
    duplicates(job.keys ?? [], ['keys'], issue);
    if (job.columns !== undefined) {
      const lower = new Set(job.columns.map((c) => c.toLowerCase()));
      for (const [i, key] of (job.keys ?? []).entries()) {
        if (!lower.has(key.toLowerCase())) issue(['keys', i], `key "${key}" is not one of "columns"`);
      }
      if (job.orderBy !== undefined && !lower.has(job.orderBy.toLowerCase())) {
        issue(['orderBy'], `"${job.orderBy}" is not one of "columns"`);
      }
      const marker = job.deleteMarker?.column;
      if (marker !== undefined && !lower.has(marker.toLowerCase())) {
        issue(['deleteMarker', 'column'], `"${marker}" is not one of "columns"`);
      }
    }

    if (f.type !== 'csv') {
      if (f.header) issue(['format', 'header'], `"header" is for CSV; ${f.type} files name their columns`);
      if (f.delimiter !== undefined) issue(['format', 'delimiter'], `cannot be used with ${f.type}`);
      if (f.quote !== undefined) issue(['format', 'quote'], `cannot be used with ${f.type}`);
    } else {
      const delimiter = f.delimiter ?? ',';
      const quote = f.quote ?? '"';
      if (delimiter === quote)
        issue(['format', 'quote'], 'the quote character must differ from the delimiter');
      if (delimiter === '\\' || quote === '\\') {
        issue(['format', f.delimiter === '\\' ? 'delimiter' : 'quote'], 'a backslash cannot be used');
      }
    }
    if (f.type === 'parquet') {
      if (f.compression !== 'auto' && f.compression !== 'none') {
        issue(['format', 'compression'], 'parquet files are compressed inside; use "auto" or "none"');
      }
      const textOnly: (keyof CopyOptions)[] = [
        'dateFormat',
        'timeFormat',
        'nullAs',
        'emptyAsNull',
        'blanksAsNull',
        'trimBlanks',
        'truncateColumns',
        'ignoreBlankLines',
      ];
      for (const option of textOnly) {
        const value = o[option];
        if (value !== undefined && value !== false) {
          issue(['copyOptions', option], 'COPY does not accept this option with parquet');
        }
      }
      if (job.maxErrors !== 0) issue(['maxErrors'], 'COPY from parquet does not accept MAXERROR; use 0');
    }
    if (o.emptyAsNull && o.nullAs === '') {
      issue(['copyOptions', 'emptyAsNull'], 'redundant with nullAs ""; keep one of them');
    }

    if (job.source !== undefined && 'prefix' in job.source) {
      // The prefix as S3 lists it (`.../run-1/ch` lists `.../run-1/chunks/`).
      if (stagingOverlapsSource(withSlash(job.staging), job.source.prefix, job.name)) {
        issue(
          ['staging'],
          'staging must not be inside the source prefix (prepared chunks would be loaded again)',
        );
      }
    }
    if (job.trigger !== undefined) {
      const staging = tryParseS3Uri(job.staging);
      const rule = job.trigger;
      if (staging !== undefined && staging.bucket === rule.bucket) {
        const stagingKey = staging.key;
        const prefix = rule.prefix ?? '';
        if (stagingKey.startsWith(prefix) || prefix.startsWith(stagingKey)) {
          issue(
            ['trigger', 'prefix'],
            'the staging prefix must not match the trigger (chunks would start loads)',
          );
        }
      }
    }
  });

/** What a run writes under `<staging><job>/<runId>/` (see src/load/loadRun.ts). */
const RUN_STAGING_ENTRIES = ['chunks/', 'parts/', 'lines/', 'failed/', 'copy.manifest', 'objects.csv'];

/**
 * True when listing `source` could return what a run of job `name` writes under
 * `<staging><name>/<runId>/`. A source beside those files (a transfer's own
 * `<staging><name>/<runId>/unload/`) is fine.
 */
export function stagingOverlapsSource(staging: string, source: string, name: string): boolean {
  if (staging.startsWith(source)) return true;
  if (!source.startsWith(staging)) return false;
  const jobArea = `${staging}${name}/`;
  if (jobArea.startsWith(source)) return true;
  if (!source.startsWith(jobArea)) return false;
  const inRun = source.slice(jobArea.length);
  const slash = inRun.indexOf('/');
  // `<jobArea>run-1` (no slash) covers every run id starting so.
  if (slash === -1) return true;
  const rest = inRun.slice(slash + 1);
  return RUN_STAGING_ENTRIES.some((entry) => entry.startsWith(rest) || rest.startsWith(entry));
}

export type LoadJobInput = z.input<typeof loadJobSchema>;
export type LoadJob = z.output<typeof loadJobSchema>;

function duplicates(names: string[], path: (string | number)[], issue: IssueReporter) {
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    const key = name.toLowerCase();
    if (seen.has(key)) issue([...path, i], `"${name}" is listed twice`);
    seen.add(key);
  }
}

function withSlash(uri: string): string {
  return uri.endsWith('/') ? uri : `${uri}/`;
}
