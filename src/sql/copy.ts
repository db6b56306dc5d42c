import type { CopyOptions } from '../job/loadJob.ts';
import { type QualifiedName, quoteIdent, quoteQualified, sqlString } from './identifiers.ts';

/** The format of the files COPY reads (ours: prepared chunks, or the sources as they are). */
export type CopyFormat =
  | { type: 'csv'; delimiter: string; quote: string }
  | { type: 'json'; mode?: 'auto' | 'auto ignorecase' | `s3://${string}` }
  /**
   * serializeToJson: nested Parquet columns (struct, list, map) load into SUPER columns as JSON,
   * which Redshift does only with it (ingest-super.html, "Copying data from columnar-format";
   * awswrangler's serialize_to_json: "SERIALIZETOJSON is necessary to load nested data").
   */
  | { type: 'parquet'; serializeToJson?: boolean };

export type CopyCompression = 'none' | 'gzip' | 'zstd' | 'bzip2';

export interface CopySpec {
  table: QualifiedName | string;
  /** The column list, in file order; omitted only for JSON (mapped by name). */
  columns?: readonly string[] | undefined;
  /** A manifest URI when `manifest` is true, else a key prefix. */
  from: string;
  /** An IAM role ARN or `default`; already validated by the job schema. */
  iamRole: string;
  manifest: boolean;
  format: CopyFormat;
  compression: CopyCompression;
  options?: Partial<CopyOptions> | undefined;
  maxErrors?: number | undefined;
  /** Lines to skip at the top of each file (CSV). */
  ignoreHeader?: number | undefined;
}

/**
 * A complete COPY statement. Parameters come in the order Redshift documents them:
 * table (columns) FROM, authorization, MANIFEST, format, compression, conversions, load options.
 * A stage table is new and temporary, so COMPUPDATE and STATUPDATE are off (they would analyse
 * a table that lives a few seconds).
 */
export function buildCopy(spec: CopySpec): string {
  const parts: string[] = [];
  const columns =
    spec.columns === undefined || spec.columns.length === 0
      ? ''
      : ` (${spec.columns.map((c) => quoteIdent(c, 'column name')).join(', ')})`;
  parts.push(`COPY ${quoteQualified(spec.table)}${columns}`);
  parts.push(`FROM ${sqlString(spec.from)}`);
  parts.push(`IAM_ROLE ${spec.iamRole === 'default' ? 'default' : sqlString(spec.iamRole)}`);
  if (spec.manifest) parts.push('MANIFEST');

  const f = spec.format;
  if (f.type === 'csv') {
    parts.push(`FORMAT AS CSV QUOTE AS ${sqlString(f.quote)}`);
    parts.push(`DELIMITER AS ${sqlString(f.delimiter)}`);
  } else if (f.type === 'json') {
    parts.push(`FORMAT AS JSON ${sqlString(f.mode ?? 'auto')}`);
  } else {
    parts.push(f.serializeToJson ? 'FORMAT AS PARQUET SERIALIZETOJSON' : 'FORMAT AS PARQUET');
  }
  if (f.type !== 'parquet') {
    if (spec.compression === 'gzip') parts.push('GZIP');
    if (spec.compression === 'zstd') parts.push('ZSTD');
    if (spec.compression === 'bzip2') parts.push('BZIP2');
  }
  if (f.type === 'csv' && spec.ignoreHeader !== undefined && spec.ignoreHeader > 0) {
    parts.push(`IGNOREHEADER AS ${Math.floor(spec.ignoreHeader)}`);
  }

  const o = spec.options ?? {};
  if (f.type !== 'parquet') {
    if (o.dateFormat !== undefined) parts.push(`DATEFORMAT AS ${sqlString(o.dateFormat)}`);
    if (o.timeFormat !== undefined) parts.push(`TIMEFORMAT AS ${sqlString(o.timeFormat)}`);
    if (o.nullAs !== undefined) parts.push(`NULL AS ${sqlString(o.nullAs)}`);
    if (o.emptyAsNull) parts.push('EMPTYASNULL');
    if (o.blanksAsNull) parts.push('BLANKSASNULL');
    if (o.trimBlanks) parts.push('TRIMBLANKS');
    if (o.truncateColumns) parts.push('TRUNCATECOLUMNS');
    if (o.ignoreBlankLines) parts.push('IGNOREBLANKLINES');
  }
  if (o.acceptInvChars === true) parts.push('ACCEPTINVCHARS');
  else if (typeof o.acceptInvChars === 'string')
    parts.push(`ACCEPTINVCHARS AS ${sqlString(o.acceptInvChars)}`);
  if (o.region !== undefined) parts.push(`REGION AS ${sqlString(o.region)}`);
  if (f.type !== 'parquet' && spec.maxErrors !== undefined && spec.maxErrors > 0) {
    parts.push(`MAXERROR AS ${Math.floor(spec.maxErrors)}`);
  }
  parts.push('COMPUPDATE OFF STATUPDATE OFF');
  return parts.join(' ');
}
