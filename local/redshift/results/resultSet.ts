import { JSONB_OID, superText } from './superText.ts';

/** PostgreSQL type oids the Data API maps to typed fields. */
const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  text: 25,
  numeric: 1700,
} as const;

const LONG_TYPES = new Set<number>([OID.int8, OID.int2, OID.int4, OID.oid]);
const DOUBLE_TYPES = new Set<number>([OID.float4, OID.float8]);
const CASE_SENSITIVE = new Set<number>([OID.bpchar, OID.varchar, OID.text, 19 /* name */]);
const SIGNED = new Set<number>([OID.int2, OID.int4, OID.int8, OID.float4, OID.float8, OID.numeric]);
const INTEGER_PRECISION: Record<number, number> = { [OID.int2]: 5, [OID.int4]: 10, [OID.int8]: 19 };

export interface ColumnMetadata {
  isCaseSensitive: boolean;
  isCurrency: boolean;
  isSigned: boolean;
  label: string;
  name: string;
  nullable: number;
  precision: number;
  scale: number;
  schemaName: string;
  tableName: string;
  typeName: string;
  length: number;
}

/** What pg reports of one column of a result. */
export interface PgField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
  tableID: number;
  columnID: number;
}

/**
 * A finished statement's result, kept as PostgreSQL's text output (the most compact form we
 * have) and converted to typed fields page by page.
 */
export interface StoredResult {
  columns: ColumnMetadata[];
  typeIds: number[];
  rows: (string | null)[][];
  /** Bytes of the values' text: the statement's ResultSize. */
  size: number;
}

/**
 * Redshift's names for the types the local engine stores differently: SUPER is jsonb, VARBYTE is
 * bytea, and the text functions return (Redshift has no TEXT type: it is VARCHAR). Every other
 * PostgreSQL type name (int2/int4/int8, numeric, float4/float8, bool, bpchar, varchar, date,
 * time, timetz, timestamp, timestamptz) is Redshift's own.
 */
const REDSHIFT_TYPE_NAMES: Readonly<Record<string, string>> = {
  jsonb: 'super',
  bytea: 'varbyte',
  text: 'varchar',
};

/** Column metadata as the Data API returns it (Redshift's type names). */
export function columnMetadata(
  field: PgField,
  typeName: string,
  table: { schema: string; table: string } | undefined,
): ColumnMetadata {
  const mod = field.dataTypeModifier;
  let precision = INTEGER_PRECISION[field.dataTypeID] ?? 0;
  let scale = 0;
  if (field.dataTypeID === OID.numeric && mod >= 4) {
    precision = ((mod - 4) >> 16) & 0xffff;
    scale = (mod - 4) & 0xffff;
  } else if ((field.dataTypeID === OID.varchar || field.dataTypeID === OID.bpchar) && mod >= 4) {
    precision = mod - 4;
  } else if (field.dataTypeID === OID.float8) {
    precision = 17;
    scale = 17;
  } else if (field.dataTypeID === OID.float4) {
    precision = 8;
    scale = 8;
  }
  return {
    isCaseSensitive: CASE_SENSITIVE.has(field.dataTypeID),
    isCurrency: false,
    isSigned: SIGNED.has(field.dataTypeID),
    label: field.name,
    name: field.name,
    nullable: 1,
    precision,
    scale,
    schemaName: table?.schema ?? '',
    tableName: table?.table ?? '',
    typeName: REDSHIFT_TYPE_NAMES[typeName] ?? typeName,
    length: 0,
  };
}

export function resultSize(rows: readonly (readonly (string | null)[])[]): number {
  let size = 0;
  for (const row of rows) for (const v of row) if (v !== null) size += v.length;
  return size;
}

/**
 * One value as a JSON `Field` member: long/double/boolean/blob by type, DECIMAL and everything
 * else as a string, as the real service does.
 */
function fieldJson(value: string | null, typeId: number): string {
  if (value === null) return '{"isNull":true}';
  if (LONG_TYPES.has(typeId)) return `{"longValue":${value}}`;
  if (DOUBLE_TYPES.has(typeId)) {
    const n = Number(value);
    return Number.isFinite(n) ? `{"doubleValue":${value}}` : `{"stringValue":${JSON.stringify(value)}}`;
  }
  if (typeId === OID.bool) return value === 't' ? '{"booleanValue":true}' : '{"booleanValue":false}';
  if (typeId === OID.bytea) {
    const hex = value.startsWith('\\x') ? value.slice(2) : value;
    return `{"blobValue":"${Buffer.from(hex, 'hex').toString('base64')}"}`;
  }
  return `{"stringValue":${JSON.stringify(typeId === JSONB_OID ? superText(value) : value)}}`;
}

export interface Page {
  /** The JSON text of the `Records` array. */
  recordsJson: string;
  /** Index of the first row not in the page, or undefined when the page ends the result. */
  next: number | undefined;
}

/**
 * Serialises rows from `offset` until about `maxBytes` of JSON (at least one row per page), the
 * way the service splits a large result into NextToken pages.
 */
export function jsonPage(result: StoredResult, offset: number, maxBytes: number): Page {
  const parts: string[] = [];
  let bytes = 2;
  let i = offset;
  const { rows, typeIds } = result;
  for (; i < rows.length; i++) {
    const row = rows[i] as (string | null)[];
    let line = '[';
    for (let c = 0; c < row.length; c++) {
      if (c > 0) line += ',';
      line += fieldJson(row[c] as string | null, typeIds[c] as number);
    }
    line += ']';
    if (parts.length > 0 && bytes + line.length + 1 > maxBytes) break;
    parts.push(line);
    bytes += line.length + 1;
  }
  return { recordsJson: `[${parts.join(',')}]`, next: i < rows.length ? i : undefined };
}

function csvValue(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** GetStatementResultV2's CSV page: a header line on the first page, then the rows. */
export function csvPage(
  result: StoredResult,
  offset: number,
  maxBytes: number,
): { csv: string; next: number | undefined } {
  let csv = offset === 0 ? `${result.columns.map((c) => csvValue(c.name)).join(',')}\n` : '';
  let i = offset;
  for (; i < result.rows.length; i++) {
    const row = result.rows[i] as (string | null)[];
    const line = `${row.map((v, c) => csvValue(v !== null && result.typeIds[c] === JSONB_OID ? superText(v) : v)).join(',')}\n`;
    if (i > offset && csv.length + line.length > maxBytes) break;
    csv += line;
  }
  return { csv, next: i < result.rows.length ? i : undefined };
}
