import { SqlBuildError } from '../errors.ts';
import { iamRoleSchema, kmsKeySchema, s3UriSchema } from '../job/common.ts';
import type { ExportJob, UnloadOptions } from '../job/exportJob.ts';
import { unloadOptionConflicts } from '../job/unloadOptionMatrix.ts';
import { quoteIdent, quoteQualified, sqlString, unloadQueryLiteral } from './identifiers.ts';

export interface UnloadSpec {
  /** The SELECT to unload (a user's query, or one built from `table`/`columns`). */
  query: string;
  /** The staging prefix (a folder, ending in `/`), already resolved for the run. */
  to: string;
  iamRole: string;
  options: UnloadOptions;
}

/** The SELECT for a job: its `query`, or `SELECT <columns> FROM <table>` built from quoted names. */
export function exportQuery(job: Pick<ExportJob, 'query' | 'table' | 'columns'>): string {
  if (job.query !== undefined) return job.query;
  if (job.table === undefined) throw new SqlBuildError('An export needs a "query" or a "table".');
  const columns =
    job.columns === undefined ? '*' : job.columns.map((c) => quoteIdent(c, 'column name')).join(', ');
  return `SELECT ${columns} FROM ${quoteQualified(job.table)}`;
}

/**
 * Builds the UNLOAD statement. Every value is validated again here (the builder does not trust
 * its caller) and the combinations Redshift rejects are rejected first with a SqlBuildError.
 * Always `MANIFEST VERBOSE` (the part plan and the record counts come from it) and ALLOWOVERWRITE
 * or CLEANPATH, so that a retried UNLOAD into the same staging prefix overwrites instead of failing.
 */
export function buildUnload(spec: UnloadSpec): string {
  const o = spec.options;
  checkCombinations(o);
  const to = s3UriSchema.safeParse(spec.to);
  if (!to.success)
    throw new SqlBuildError(
      `Invalid UNLOAD destination ${JSON.stringify(spec.to)}: ${to.error.issues[0]?.message}`,
    );
  const role = iamRoleSchema.safeParse(spec.iamRole);
  if (!role.success)
    throw new SqlBuildError(
      `Invalid IAM role ${JSON.stringify(spec.iamRole)}: expected an IAM role ARN or "default".`,
    );

  const parts: string[] = [
    `UNLOAD ${unloadQueryLiteral(spec.query)}`,
    `TO ${sqlString(to.data)}`,
    role.data === 'default' ? 'IAM_ROLE default' : `IAM_ROLE ${sqlString(role.data)}`,
  ];
  if (o.format !== 'text') parts.push(`FORMAT AS ${o.format.toUpperCase()}`);
  if (o.partitionBy !== undefined) {
    const cols = o.partitionBy.columns.map((c) => quoteIdent(c, 'partition column')).join(', ');
    parts.push(`PARTITION BY (${cols})${o.partitionBy.include ? ' INCLUDE' : ''}`);
  }
  if (o.header) parts.push('HEADER');
  if (o.delimiter !== undefined) parts.push(`DELIMITER AS ${sqlString(o.delimiter)}`);
  if (o.nullAs !== undefined) parts.push(`NULL AS ${sqlString(o.nullAs)}`);
  if (o.escape) parts.push('ESCAPE');
  if (o.addQuotes) parts.push('ADDQUOTES');
  if (o.compression !== 'none') parts.push(o.compression.toUpperCase());
  if (o.maxFileSize !== undefined) parts.push(`MAXFILESIZE ${o.maxFileSize} MB`);
  if (!o.parallel) parts.push('PARALLEL OFF');
  if (o.kms !== undefined) {
    const kms = kmsKeySchema.safeParse(o.kms);
    if (!kms.success)
      throw new SqlBuildError(`Invalid KMS key ${JSON.stringify(o.kms)}: expected a key id, alias or ARN.`);
    parts.push(`ENCRYPTED KMS_KEY_ID ${sqlString(kms.data)}`);
  }
  if (o.region !== undefined) {
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(o.region))
      throw new SqlBuildError(`Invalid region ${JSON.stringify(o.region)}.`);
    parts.push(`REGION AS ${sqlString(o.region)}`);
  }
  parts.push('MANIFEST VERBOSE');
  parts.push(o.overwrite === 'cleanpath' ? 'CLEANPATH' : 'ALLOWOVERWRITE');
  return parts.join(' ');
}

/** The option combinations Redshift documents as invalid (job/unloadOptionMatrix.ts). */
function checkCombinations(o: UnloadOptions): void {
  const fail = (what: string) => {
    throw new SqlBuildError(`Invalid UNLOAD options: ${what}. Change the job's "unload" block.`);
  };
  const [conflict] = unloadOptionConflicts(o);
  if (conflict !== undefined) {
    const why = conflict.why === undefined ? '' : ` (${conflict.why})`;
    fail(`${conflict.keyword} cannot be used with FORMAT ${conflict.format.toUpperCase()}${why}`);
  }
  if (o.partitionBy !== undefined && o.partitionBy.columns.length === 0) fail('PARTITION BY needs a column');
}
