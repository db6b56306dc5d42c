import { z } from 'zod';
import { lineageOptionsSchema } from '../lineage/lineageOptions.ts';
import {
  columnListSchema,
  iamRoleSchema,
  identifierIssue,
  issueReporter,
  jobNameSchema,
  kmsKeySchema,
  querySourceIssues,
  redshiftTargetSchema,
  tableSchema,
  templatedS3UriSchema,
  timeoutsSchema,
} from './common.ts';
import { sparkStepSchema } from './sparkStep.ts';
import { unloadOptionConflicts } from './unloadOptionMatrix.ts';

/**
 * The `export` job document: Redshift -> S3 through UNLOAD, then per-part processing into the
 * destination. Parsing is idempotent (the parsed document parses again to itself), because the
 * plan task passes the parsed job on to every later task, which validate it again.
 */

const MAX_FILE_SIZE_MB = { min: 5, max: Math.round(6.2 * 1024) } as const;
const SIZE_MESSAGE = 'expected a size like "256 MB" or "1 GB" (whole MB, from "5 MB" to "6.2 GB")';

/**
 * MAXFILESIZE: `"256 MB"`, `"1 GB"`, `"6.2 GB"` or a number of megabytes; parsed to whole
 * megabytes (1 GB = 1024 MB; Redshift's range is 5 MB to 6.2 GB).
 */
export const maxFileSizeSchema = z
  .union([z.number(), z.string()], { error: SIZE_MESSAGE })
  .transform((value, ctx) => {
    let mb: number;
    if (typeof value === 'number') {
      mb = value;
    } else {
      const m = /^(\d+(?:\.\d+)?)\s*(MB|GB)$/i.exec(value.trim());
      if (m === null) {
        ctx.addIssue({ code: 'custom', message: SIZE_MESSAGE });
        return z.NEVER;
      }
      const n = Number.parseFloat(m[1] ?? '');
      mb = m[2]?.toUpperCase() === 'GB' ? Math.round(n * 1024) : n;
    }
    if (!Number.isInteger(mb) || mb < MAX_FILE_SIZE_MB.min || mb > MAX_FILE_SIZE_MB.max) {
      ctx.addIssue({ code: 'custom', message: SIZE_MESSAGE });
      return z.NEVER;
    }
    return mb;
  });

const identifierList = columnListSchema;

const partitionBySchema = z
  .union([
    identifierList.transform((columns) => ({ columns, include: false })),
    z.object({ columns: identifierList, include: z.boolean().default(false) }).strict(),
  ])
  .optional();

export const unloadOptionsSchema = z
  .object({
    format: z.enum(['csv', 'parquet', 'json', 'text']).default('csv'),
    compression: z.enum(['gzip', 'zstd', 'bzip2', 'none']).default('none'),
    partitionBy: partitionBySchema,
    maxFileSize: maxFileSizeSchema.optional(),
    header: z.boolean().default(false),
    parallel: z.boolean().default(true),
    delimiter: z
      .string()
      .regex(/^[\x20-\x7e\t]$/, 'expected one printable ASCII character (or a tab)')
      .refine((d) => d !== '"' && d !== '\\', 'the delimiter cannot be a double quote or a backslash')
      .optional(),
    nullAs: z.string().max(100).optional(),
    escape: z.boolean().default(false),
    addQuotes: z.boolean().default(false),
    /** SSE-KMS with this key (ENCRYPTED KMS_KEY_ID). */
    kms: kmsKeySchema.optional(),
    /** The bucket's Region when it differs from the cluster's. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS Region like "eu-west-1"')
      .optional(),
    /** How a retried UNLOAD treats files already in the staging prefix (ALLOWOVERWRITE or CLEANPATH). */
    overwrite: z.enum(['allowoverwrite', 'cleanpath']).default('allowoverwrite'),
  })
  .strict();
export type UnloadOptions = z.infer<typeof unloadOptionsSchema>;

/** Largest `process.inlineMaxParts` the schema accepts (docs/export.md: why it fits 256 KiB). */
export const INLINE_MAX_PARTS_CAP = 250;
/** Default `process.inlineMaxParts`: inline costs ~1 transition and ~7 history events per part. */
export const INLINE_MAX_PARTS_DEFAULT = 10;

export const processOptionsSchema = z
  .object({
    /** Rewrite each part: `csv-to-jsonl` turns CSV rows into JSON objects named by the manifest schema. */
    convert: z.enum(['none', 'csv-to-jsonl']).default('none'),
    /** Output compression; by default the output keeps the UNLOAD's compression. */
    recompress: z.enum(['gzip', 'zstd', 'none']).optional(),
    checksum: z.literal('sha256').default('sha256'),
    /**
     * How a part that needs no conversion is checked. `manifest`: S3 copies it server-side (its
     * bytes never pass through Lambda), its size is checked and its rows come from UNLOAD's
     * MANIFEST VERBOSE record_count, S3 computes its checksum. `full`: it is streamed through
     * Lambda, every record counted against the manifest and its SHA-256 computed (catches a part
     * altered in place at the same size). Parts that are converted or recompressed always stream.
     */
    verify: z.enum(['manifest', 'full']).default('manifest'),
    /**
     * Level of re-encoded output (recompress or convert): gzip 1-9 (default 6), zstd 1-19
     * (default 3). 1 trades ~15% larger gzip parts for ~3x faster writing.
     */
    compressionLevel: z.number().int().min(1).max(19).optional(),
    /**
     * Above this many parts the run uses a Distributed Map fed from an items file in S3. At most
     * 250 (the inline state then stays far below 256 KiB; planParts also falls back to the
     * Distributed Map whenever the inline state would pass its byte budget).
     */
    inlineMaxParts: z.number().int().min(1).max(INLINE_MAX_PARTS_CAP).default(INLINE_MAX_PARTS_DEFAULT),
  })
  .strict()
  .default({
    convert: 'none',
    checksum: 'sha256',
    verify: 'manifest',
    inlineMaxParts: INLINE_MAX_PARTS_DEFAULT,
  });
export type ProcessOptions = z.infer<typeof processOptionsSchema>;

export const scheduleSchema = z
  .object({
    expression: z
      .string()
      .trim()
      .regex(
        /^(cron\([^()]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/,
        'expected an EventBridge expression like "cron(0 2 * * ? *)" or "rate(1 day)"',
      ),
    timezone: z.string().trim().min(1).default('UTC'),
    enabled: z.boolean().default(true),
  })
  .strict();
export type Schedule = z.infer<typeof scheduleSchema>;

/**
 * What a run does when its destination already holds a previous run's output: `fail` (the
 * default: nothing is written), `replace` (publish beside it, switch `_manifest.json`, then remove
 * the old parts) or `newRunFolder` (publish into `<destination><runId>/`).
 */
export const onExistingSchema = z.enum(['fail', 'replace', 'newRunFolder']);
export type OnExisting = z.infer<typeof onExistingSchema>;

export const exportJobSchema = z
  .object({
    kind: z.literal('export'),
    name: jobNameSchema,
    description: z.string().max(1000).optional(),
    target: redshiftTargetSchema,
    iamRole: iamRoleSchema,
    query: z.string().trim().min(1).max(60_000).optional(),
    table: tableSchema.optional(),
    /** With `table`: the columns to export (default all). */
    columns: columnListSchema.optional(),
    unload: unloadOptionsSchema.default({
      format: 'csv',
      compression: 'none',
      header: false,
      parallel: true,
      escape: false,
      addQuotes: false,
      overwrite: 'allowoverwrite',
    }),
    /** Where UNLOAD writes, always under `<staging><job>/<runId>/` (emptied unless keepStaging). */
    staging: templatedS3UriSchema,
    /** Where processed parts, `_manifest.json` and `_SUCCESS` go. */
    destination: templatedS3UriSchema,
    onExisting: onExistingSchema.default('fail'),
    process: processOptionsSchema,
    keepStaging: z.boolean().default(false),
    timeouts: timeoutsSchema,
    spark: sparkStepSchema.optional(),
    schedule: scheduleSchema.optional(),
    /** OpenLineage run events (START, COMPLETE, FAIL) to an HTTP endpoint and/or an S3 prefix. */
    lineage: lineageOptionsSchema.optional(),
  })
  .strict()
  .superRefine((job, ctx) => {
    const issue = issueReporter(ctx);
    const u = job.unload;

    querySourceIssues(job, [], issue);
    if (job.query !== undefined && /\blimit\s+\d+\s*;?\s*$/i.test(job.query)) {
      issue(
        ['query'],
        'UNLOAD rejects a LIMIT in the outer SELECT; wrap it: "select * from (select ... limit n)"',
      );
    }
    for (const [i, column] of (job.columns ?? []).entries()) identifierIssue(column, ['columns', i], issue);
    for (const [i, column] of (u.partitionBy?.columns ?? []).entries()) {
      identifierIssue(column, ['unload', 'partitionBy', 'columns', i], issue);
    }

    // The incompatibilities Redshift documents for UNLOAD, reported before Redshift sees them.
    for (const c of unloadOptionConflicts(u)) {
      issue(
        ['unload', c.option],
        `cannot be used with format ${c.format}${c.why === undefined ? '' : ` (${c.why})`}${c.fix === undefined ? '' : `; ${c.fix}`}`,
      );
    }

    const p = job.process;
    if (p.convert === 'csv-to-jsonl' && u.format !== 'csv') {
      issue(['process', 'convert'], '"csv-to-jsonl" needs unload.format csv');
    }
    if (u.format === 'parquet' && p.recompress !== undefined && p.recompress !== 'none') {
      issue(['process', 'recompress'], 'parquet parts cannot be recompressed; remove it');
    }
    if (u.compression === 'bzip2' && (p.convert !== 'none' || p.recompress !== undefined)) {
      issue(
        ['process', p.convert !== 'none' ? 'convert' : 'recompress'],
        'bzip2 parts are copied as they are (no bzip2 decoder here); use gzip or zstd to convert or recompress',
      );
    }

    if (p.compressionLevel !== undefined) {
      const out = p.recompress ?? u.compression;
      if (p.convert === 'none' && out === u.compression) {
        issue(
          ['process', 'compressionLevel'],
          'parts are copied as they are (no recompress or convert), so a level has no effect; remove it or set process.recompress',
        );
      } else if (out === 'gzip' && p.compressionLevel > 9) {
        issue(['process', 'compressionLevel'], 'gzip levels go from 1 to 9');
      } else if (out !== 'gzip' && out !== 'zstd') {
        issue(
          ['process', 'compressionLevel'],
          `the output is not compressed with gzip or zstd (${out}); remove it`,
        );
      }
    }

    const staging = withSlash(job.staging);
    const destination = withSlash(job.destination);
    if (staging.startsWith(destination) || destination.startsWith(staging)) {
      issue(['destination'], 'staging and destination must not overlap (staging is emptied after each run)');
    }
  });

export type ExportJobInput = z.input<typeof exportJobSchema>;
export type ExportJob = z.output<typeof exportJobSchema>;

/** A prefix as a folder: `s3://b/x` -> `s3://b/x/`. */
export function withSlash(uri: string): string {
  return uri.endsWith('/') ? uri : `${uri}/`;
}
