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
      // Unannotated BYTE_ARRAY: most writers' strings before the STRING annotation existed.
      return e.type === 'BYTE_ARRAY' ? 'string' : 'binary';
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
