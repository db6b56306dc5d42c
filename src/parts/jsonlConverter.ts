import type { CsvField } from '../csv/csvScanner.ts';
import { PartProcessingError } from '../errors.ts';
import type { ColumnSchema } from '../manifest/unloadManifest.ts';

const INTEGER = new Set(['smallint', 'integer', 'bigint', 'int2', 'int4', 'int8', 'int']);
const FLOAT = new Set(['real', 'double precision', 'float4', 'float8', 'float']);

export type JsonValue = string | number | boolean | null;
export type ColumnKind = 'int' | 'float' | 'bool' | 'string';

export interface JsonlOptions {
  columns: ColumnSchema[];
  nullAs?: string | undefined;
  label: string;
}

export function columnKind(type: string): ColumnKind {
  const base = type.toLowerCase();
  if (INTEGER.has(base)) return 'int';
  if (FLOAT.has(base)) return 'float';
  if (base === 'boolean' || base === 'bool') return 'bool';
  return 'string';
}

/**
 * The JSON value of one CSV field of a column: integers and floats become numbers (a BIGINT beyond
 * 2^53 stays a string to keep its digits), booleans become true/false, NUMERIC stays a string
 * (exact), NULL (an unquoted field equal to `nullAs`) becomes null.
 */
export function jsonValue(kind: ColumnKind, value: string, quoted: boolean, nullAs: string): JsonValue {
  if (!quoted && value === nullAs) return null;
  switch (kind) {
    case 'int': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value;
    }
    case 'float': {
      const n = Number(value);
      return Number.isNaN(n) ? value : n;
    }
    case 'bool':
      return value === 't' || value === 'true' || value === '1';
    default:
      return value;
  }
}

export function fieldCountError(label: string, recordNumber: number, fields: number, names: string[]) {
  return new PartProcessingError(
    `${label}, record ${recordNumber}: ${fields} fields but the manifest schema has ${names.length} columns (${names.join(', ')}). Check the UNLOAD's delimiter and quoting.`,
  );
}

/**
 * Turns CSV fields into one JSON object per record, named and typed by the manifest's schema
 * (jsonValue). The reference the byte-level writer (jsonlWriter.ts) must match.
 */
export function createJsonlConverter(options: JsonlOptions) {
  const nullAs = options.nullAs ?? '';
  const kinds = options.columns.map((c) => columnKind(c.type));
  const names = options.columns.map((c) => c.name);

  return (fields: CsvField[], recordNumber: number): string => {
    if (fields.length !== names.length)
      throw fieldCountError(options.label, recordNumber, fields.length, names);
    const row: Record<string, JsonValue> = {};
    for (let i = 0; i < names.length; i++) {
      const f = fields[i] as CsvField;
      row[names[i] as string] = jsonValue(kinds[i] as ColumnKind, f.value, f.quoted, nullAs);
    }
    return `${JSON.stringify(row)}\n`;
  };
}
