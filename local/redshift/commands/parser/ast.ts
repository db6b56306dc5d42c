/** Typed syntax trees of Redshift's UNLOAD and COPY, as produced by parseRedshiftCommand. */

export type Authorization =
  | { kind: 'iamRole'; roles: 'default' | string[] }
  | { kind: 'credentials'; value: string }
  | { kind: 'keys'; accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined };

export type Compression = 'gzip' | 'bzip2' | 'zstd' | 'lzop';

/** One `label:width` of a FIXEDWIDTH spec (the label is a column name or index). */
export interface FixedWidthField {
  label: string;
  width: number;
}

export interface UnloadStatement {
  kind: 'unload';
  /** The inner SELECT, unescaped. */
  query: string;
  /** `s3://bucket/prefix` as written. */
  to: string;
  authorization: Authorization;
  format: 'text' | 'csv' | 'parquet' | 'json';
  partitionBy?: { columns: string[]; include: boolean } | undefined;
  manifest?: { verbose: boolean } | undefined;
  header: boolean;
  delimiter?: string | undefined;
  fixedWidth?: FixedWidthField[] | undefined;
  encrypted?: { auto: boolean } | undefined;
  kmsKeyId?: string | undefined;
  masterSymmetricKey?: string | undefined;
  compression?: Exclude<Compression, 'lzop'> | undefined;
  addQuotes: boolean;
  nullAs?: string | undefined;
  escape: boolean;
  allowOverwrite: boolean;
  cleanPath: boolean;
  parallel: boolean;
  /** Bytes. */
  maxFileSize?: number | undefined;
  /** Bytes. */
  rowGroupSize?: number | undefined;
  region?: string | undefined;
  extension?: string | undefined;
}

export type CopyFormat = 'text' | 'csv' | 'json' | 'parquet' | 'orc' | 'avro' | 'fixedwidth';

export interface CopyStatement {
  kind: 'copy';
  table: { schema?: string | undefined; name: string };
  columns?: string[] | undefined;
  /** `s3://bucket/prefix-or-manifest` as written. */
  from: string;
  authorization: Authorization;
  format: CopyFormat;
  /** CSV QUOTE character (default `"`). */
  quote: string;
  /** JSON: 'auto', 'auto ignorecase', 'noshred' or the s3:// URI of a JSONPaths file. */
  json?: string | undefined;
  fixedWidth?: FixedWidthField[] | undefined;
  manifest: boolean;
  encrypted: boolean;
  region?: string | undefined;
  compression?: Compression | undefined;
  delimiter?: string | undefined;
  nullAs?: string | undefined;
  emptyAsNull: boolean;
  blanksAsNull: boolean;
  ignoreHeader: number;
  dateFormat?: string | undefined;
  timeFormat?: string | undefined;
  /** Replacement character when ACCEPTINVCHARS is given (default '?'). */
  acceptInvChars?: string | undefined;
  truncateColumns: boolean;
  trimBlanks: boolean;
  fillRecord: boolean;
  maxError: number;
  escape: boolean;
  removeQuotes: boolean;
  ignoreBlankLines: boolean;
  acceptAnyDate: boolean;
  explicitIds: boolean;
  roundEc: boolean;
  ignoreAllErrors: boolean;
  noLoad: boolean;
  /** PARQUET/ORC: nested columns (struct, list, map) load into SUPER columns as JSON. */
  serializeToJson: boolean;
  encoding?: string | undefined;
}

export type RedshiftCommand = UnloadStatement | CopyStatement;
