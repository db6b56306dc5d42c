import type { SchemaElement } from 'hyparquet';
import { isCharacterType } from './checkValue.ts';
import type { TargetColumn } from './targetColumns.ts';

/** What a top-level Parquet column holds, from its footer schema element. */
export type ParquetKind =
  | 'nested'
  | 'string'
  | 'binary'
  | 'boolean'
  | 'integer'
  | 'float'
  | 'decimal'
  | 'date'
  | 'time'
  | 'timestamp';

export function parquetKind(e: SchemaElement): ParquetKind {
  if ((e.num_children ?? 0) > 0) return 'nested';
  const logical = e.logical_type?.type;
  const converted = e.converted_type;
  if (logical === 'DECIMAL' || converted === 'DECIMAL') return 'decimal';
  if (logical === 'DATE' || converted === 'DATE') return 'date';
  if (logical === 'TIME' || converted === 'TIME_MILLIS' || converted === 'TIME_MICROS') return 'time';
  if (logical === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS')
    return 'timestamp';
  if (e.type === 'INT96') return 'timestamp';
  if (
    logical === 'STRING' ||
    converted === 'UTF8' ||
    logical === 'JSON' ||
    converted === 'JSON' ||
    logical === 'ENUM'
  )
    return 'string';
  switch (e.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
      return 'integer';
    case 'FLOAT':
    case 'DOUBLE':
      return 'float';
    default:
      // Unannotated BYTE_ARRAY is binary (pyarrow's `binary`), as Spark, Arrow and DuckDB read it
      // (Spark's binaryAsString is off by default); strings carry the STRING/UTF8 annotation.
      return 'binary';
  }
}

const NUMERIC = new Set(['smallint', 'integer', 'bigint', 'numeric', 'decimal', 'real', 'double precision']);
const TEMPORAL = new Set([
  'date',
  'timestamp',
  'timestamptz',
  'timestamp without time zone',
  'timestamp with time zone',
]);

/**
 * Why COPY cannot load a Parquet column of this kind into the column, or null. Only the certain
 * cases: a nested column outside SUPER, text into numbers/booleans/dates, booleans or dates into
 * numbers (COPY maps Parquet types, it does not parse text).
 */
export function parquetIncompatibility(kind: ParquetKind, column: TargetColumn): string | null {
  const t = column.type;
  if (kind === 'nested')
    return t === 'super'
      ? null
      : `is a nested column (struct, list or map), which loads only into SUPER, not ${t}`;
  if (t === 'super' || isCharacterType(t)) return null;
  if (kind === 'string' && (NUMERIC.has(t) || TEMPORAL.has(t) || t === 'boolean'))
    return `holds strings, which COPY does not convert to ${t}`;
  if (kind === 'boolean' && t !== 'boolean') return `holds booleans, which cannot load into ${t}`;
  if ((kind === 'date' || kind === 'timestamp' || kind === 'time') && (NUMERIC.has(t) || t === 'boolean'))
    return `holds ${kind}s, which cannot load into ${t}`;
  if ((kind === 'integer' || kind === 'float' || kind === 'decimal') && (TEMPORAL.has(t) || t === 'boolean'))
    return `holds numbers, which cannot load into ${t}`;
  return null;
}

/** The Redshift type `createTable` gives a top-level Parquet column (from the footer alone). */
export function parquetRedshiftType(e: SchemaElement): string {
  const kind = parquetKind(e);
  const l = e.logical_type;
  switch (kind) {
    case 'nested':
      return 'super';
    case 'string':
      return 'varchar(65535)';
    case 'binary':
      return 'varbyte(65535)';
    case 'boolean':
      return 'boolean';
    case 'float':
      return e.type === 'FLOAT' ? 'real' : 'double precision';
    case 'decimal': {
      const precision = l?.type === 'DECIMAL' ? l.precision : (e.precision ?? 38);
      const scale = l?.type === 'DECIMAL' ? l.scale : (e.scale ?? 0);
      return `numeric(${Math.min(precision, 38)},${scale})`;
    }
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'timestamp': {
      const utc =
        l?.type === 'TIMESTAMP' ? l.isAdjustedToUTC : e.type !== 'INT96' && e.converted_type !== undefined;
      return utc ? 'timestamptz' : 'timestamp';
    }
    default: {
      const width =
        l?.type === 'INTEGER'
          ? l.bitWidth
          : /^(U?INT)_(\d+)$/.exec(e.converted_type ?? '')
            ? Number(/\d+$/.exec(e.converted_type ?? '')?.[0])
            : e.type === 'INT32'
              ? 32
              : 64;
      const signed = l?.type === 'INTEGER' ? l.isSigned : !(e.converted_type ?? '').startsWith('UINT');
      const bits = signed ? width : width * 2;
      return bits <= 16 ? 'smallint' : bits <= 32 ? 'integer' : bits <= 64 ? 'bigint' : 'numeric(20,0)';
    }
  }
}
