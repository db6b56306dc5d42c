import { z } from 'zod';
import { tryParseS3Uri } from '../aws/s3Uri.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { placeholderIssue } from './templates.ts';

/**
 * Building blocks shared by every job kind (export, load, transfer). Validation here is strict:
 * anything that ends up in SQL text (role ARNs, S3 URIs, KMS ids) must be safe by construction.
 */

const S3_URI_EXAMPLE = 'expected an S3 URI like "s3://my-bucket/some/prefix/"';

/**
 * What is wrong with `uri` as an S3 URI that may end up in SQL text and in S3 calls: S3's bucket
 * naming rules (3-63 characters, lowercase letters, digits, dots and dashes, no `..`, not an IP
 * address), and a key without quotes, backslashes or control characters whose folders are
 * never empty, `.` or `..` (S3 keeps them literally; other tools resolve them elsewhere).
 */
export function s3UriIssues(uri: string): string[] {
  const location = tryParseS3Uri(uri);
  if (location === undefined) return [S3_URI_EXAMPLE];
  const { bucket, key } = location;
  const issues: string[] = [];
  if (bucket.length < 3 || bucket.length > 63) {
    issues.push(`bucket name "${bucket}" must be 3-63 characters long`);
  } else if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
    issues.push(
      `bucket name "${bucket}" may only hold lowercase letters, digits, dots and dashes, and must start and end with a letter or digit`,
    );
  } else if (/\.\.|\.-|-\./.test(bucket)) {
    issues.push(`bucket name "${bucket}" must not contain "..", ".-" or "-."`);
  } else if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) {
    issues.push(`bucket name "${bucket}" must not be an IP address`);
  }
  if (/['\\\u0000-\u001f\u007f]/.test(key)) {
    issues.push('the key must not contain quotes, backslashes or control characters');
  }
  const folders = key === '' ? [] : key.split('/');
  // The last segment may be empty: a trailing "/" marks a folder.
  for (const segment of folders.slice(0, -1).concat(folders.at(-1) === '' ? [] : folders.slice(-1))) {
    if (segment === '' || segment === '.' || segment === '..') {
      issues.push(
        `the key must not contain an empty, "." or ".." path segment (found "${segment}" in "${key}")`,
      );
      break;
    }
  }
  return issues;
}

/** `s3://bucket/key-prefix` (see {@link s3UriIssues}); trimmed. */
export const s3UriSchema = z
  .string()
  .trim()
  .superRefine((uri, ctx) => {
    for (const message of s3UriIssues(uri)) ctx.addIssue({ code: 'custom', message });
  });
export type S3Uri = z.infer<typeof s3UriSchema>;

/** An IAM role ARN (the role Redshift assumes for UNLOAD/COPY); `default` means the cluster's default role. */
export const iamRoleSchema = z.union([
  z.literal('default'),
  z
    .string()
    .trim()
    .regex(
      /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/,
      'expected an IAM role ARN like "arn:aws:iam::123456789012:role/RedshiftS3Access" or "default"',
    ),
]);

/** A KMS key id, alias or ARN. */
export const kmsKeySchema = z
  .string()
  .trim()
  .regex(
    /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/,
    'expected a KMS key id, alias/name or key ARN',
  );

const secretArnSchema = z
  .string()
  .trim()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
    'expected a Secrets Manager secret ARN',
  );

const nameSchema = z
  .string()
  .trim()
  .min(1)
  .max(127)
  .regex(/^[A-Za-z0-9_$.-]+$/, 'expected letters, digits, _ $ . or -');

/**
 * Where the SQL runs: a provisioned cluster (authenticated by a secret or a database user) or a
 * Serverless workgroup. Exactly one of the two shapes.
 */
export const redshiftTargetSchema = z.union([
  z
    .object({
      clusterIdentifier: nameSchema,
      database: nameSchema,
      secretArn: secretArnSchema.optional(),
      dbUser: nameSchema.optional(),
    })
    .strict()
    .refine((t) => (t.secretArn === undefined) !== (t.dbUser === undefined), {
      message: 'a cluster target needs exactly one of secretArn or dbUser',
    }),
  z
    .object({
      workgroupName: nameSchema,
      database: nameSchema,
      secretArn: secretArnSchema.optional(),
    })
    .strict(),
]);
export type RedshiftTarget = z.infer<typeof redshiftTargetSchema>;

/**
 * A duration in seconds, or a string such as "90s", "15m", "2h". Deadlines of a run are
 * computed from these once, at planning time.
 */
export const durationSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .trim()
    .regex(/^\d+\s*(s|m|h|d)$/, 'expected a duration like "90s", "15m", "2h" or a number of seconds')
    .transform((v) => {
      const n = Number.parseInt(v, 10);
      const unit = v.trim().slice(-1);
      return n * ({ s: 1, m: 60, h: 3600, d: 86_400 } as const)[unit as 's' | 'm' | 'h' | 'd'];
    }),
]);

/** A duration within `[min, max]` seconds, named in the message. */
const boundedDuration = (max: number, maxText: string) =>
  durationSchema.pipe(
    z.number().min(1, 'expected at least 1 second').max(max, `expected at most ${maxText} (${max} seconds)`),
  );

export const timeoutsSchema = z
  .object({
    /** How long one Redshift statement (UNLOAD, COPY batch) may run before it is cancelled (the Data API's limit is 24 h). */
    statement: boundedDuration(86_400, '24h').default(3600),
    /** How long the optional Spark step may run before it is cancelled. */
    spark: boundedDuration(7 * 86_400, '7d').default(7200),
  })
  .strict()
  .default({ statement: 3600, spark: 7200 });
export type Timeouts = z.infer<typeof timeoutsSchema>;

/** Redshift's limit on the columns of a table: a longer column list cannot be right. */
export const MAX_COLUMNS = 1600;

/** A list of column names (1 to 1,600). */
export const columnListSchema = z
  .array(z.string().min(1))
  .min(1)
  .max(MAX_COLUMNS, `expected at most ${MAX_COLUMNS} columns (Redshift's limit per table)`);

/** A job's name: used in statement names, execution names and S3 keys, so kept simple. */
export const jobNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lowercase letters, digits and dashes (max 63)');

/** A table as `table`, `schema.table` or `{schema, name}`; every part a valid identifier. */
export const tableSchema = z
  .union([
    z.string().trim().min(1),
    z.object({ schema: z.string().min(1).optional(), name: z.string().min(1) }).strict(),
  ])
  .superRefine((table, ctx) => tableIssues(table, [], issueReporter(ctx)));

/** Reports a table name whose parts are not valid identifiers (`at`: the table's path). */
export function tableIssues(
  table: string | { schema?: string | undefined; name: string },
  at: (string | number)[],
  issue: IssueReporter,
): void {
  if (typeof table === 'string') {
    const parts = table.split('.');
    if (parts.length > 2) {
      issue(at, 'expected "table" or "schema.table" (give {schema, name} for names with dots)');
      return;
    }
    for (const part of parts) identifierIssue(part, at, issue, 'name');
    return;
  }
  if (table.schema !== undefined) identifierIssue(table.schema, [...at, 'schema'], issue, 'name');
  identifierIssue(table.name, [...at, 'name'], issue, 'name');
}

/** An S3 URI whose `{placeholders}` are balanced and all known template variables (resolved at plan time). */
export const templatedS3UriSchema = s3UriSchema.superRefine((uri, ctx) => {
  const message = placeholderIssue(uri);
  if (message !== undefined) ctx.addIssue({ code: 'custom', message });
});

/** Reports one problem of a job document at `path` (inside a zod `superRefine`). */
export type IssueReporter = (path: (string | number)[], message: string) => void;

/** The {@link IssueReporter} of a `superRefine`: each call adds one custom issue. */
export function issueReporter(ctx: z.RefinementCtx): IssueReporter {
  return (path, message) => ctx.addIssue({ code: 'custom', path, message });
}

/**
 * Reports `name` at `path` when `quoteIdent` rejects it; `what` names it in the message
 * (e.g. `Invalid column name "a\"b": ...`).
 */
export function identifierIssue(
  name: string,
  path: (string | number)[],
  issue: IssueReporter,
  what = 'column name',
): void {
  try {
    quoteIdent(name, what);
  } catch (error) {
    issue(path, (error as Error).message);
  }
}

/**
 * The rules of a query-or-table source (an export, a transfer's source): exactly one of `query`
 * or `table`, and `columns` only with `table`. `at` is the source's path in the document.
 */
export function querySourceIssues(
  source: { query?: string | undefined; table?: unknown; columns?: string[] | undefined },
  at: (string | number)[],
  issue: IssueReporter,
): void {
  if ((source.query === undefined) === (source.table === undefined)) {
    issue([...at, 'query'], 'give exactly one of "query" or "table"');
  }
  if (source.columns !== undefined && source.table === undefined) {
    issue([...at, 'columns'], '"columns" is only used with "table"');
  }
}

/**
 * `path: message` for every string (value or key) of `document` holding a NUL character: no field
 * of a job may hold one (it truncates C strings, SQL text and S3 keys in other tools).
 */
export function nulIssues(document: unknown, path: string[] = []): string[] {
  const where = (p: string[]) => (p.length === 0 ? '' : `${p.join('.').replace(/\.\[/g, '[')}: `);
  if (typeof document === 'string') {
    return document.includes('\u0000') ? [`${where(path)}must not contain a NUL character (\\u0000)`] : [];
  }
  if (Array.isArray(document)) return document.flatMap((v, i) => nulIssues(v, [...path, `[${i}]`]));
  if (document !== null && typeof document === 'object') {
    return Object.entries(document).flatMap(([k, v]) => [
      ...(k.includes('\u0000') ? [`${where(path)}a field name must not contain a NUL character`] : []),
      ...nulIssues(v, [...path, k]),
    ]);
  }
  return [];
}
