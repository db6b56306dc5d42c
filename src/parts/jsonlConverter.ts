import type { CsvField } from '../csv/csvScanner.ts';
import { PartProcessingError } from '../errors.ts';
import type { ColumnSchema } from '../manifest/unloadManifest.ts';

const INTEGER = new Set(['smallint', 'integer', 'bigint', 'int2', 'int4', 'int8', 'int']);
const FLOAT = new Set(['real', 'double precision', 'float4', 'float8', 'float']);

type JsonValue = string | number | boolean | null;

/**
 * Turns CSV fields into one JSON object per record, named and typed by the manifest's schema:
 * integers and floats become numbers (a BIGINT beyond 2^53 stays a string to keep its digits),
 * booleans become true/false, NUMERIC stays a string (exact), NULL (an unquoted field equal to
 * `nullAs`, empty by default) becomes null.
 */
export function createJsonlConverter(options: {
  columns: ColumnSchema[];
  nullAs?: string | undefined;
  label: string;
}) {
  const nullAs = options.nullAs ?? '';
  const kinds = options.columns.map((c) => {
    const base = c.type.toLowerCase();
    if (INTEGER.has(base)) return 'int' as const;
    if (FLOAT.has(base)) return 'float' as const;
    if (base === 'boolean' || base === 'bool') return 'bool' as const;
    return 'string' as const;
  });
  const names = options.columns.map((c) => c.name);

  return (fields: CsvField[], recordNumber: number): string => {
    if (fields.length !== names.length) {
      throw new PartProcessingError(
        `${options.label}, record ${recordNumber}: ${fields.length} fields but the manifest schema has ${names.length} columns (${names.join(', ')}). Check the UNLOAD's delimiter and quoting.`,
      );
    }
    const row: Record<string, JsonValue> = {};
    for (let i = 0; i < names.length; i++) {
      const f = fields[i] as CsvField;
      const name = names[i] as string;
      if (!f.quoted && f.value === nullAs) {
        row[name] = null;
        continue;
      }
      switch (kinds[i]) {
        case 'int': {
          const n = Number(f.value);
          row[name] = Number.isSafeInteger(n) ? n : f.value;
          break;
        }
        case 'float': {
          const n = Number(f.value);
          row[name] = Number.isNaN(n) ? f.value : n;
          break;
        }
        case 'bool':
          row[name] = f.value === 't' || f.value === 'true' || f.value === '1';
          break;
        default:
          row[name] = f.value;
      }
    }
    return `${JSON.stringify(row)}\n`;
  };
}
