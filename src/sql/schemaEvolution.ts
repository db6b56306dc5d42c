import { SchemaMismatchError } from '../errors.ts';
import { REDSHIFT_TYPE } from './createTable.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from './identifiers.ts';

/** What a load may change in an existing target (`schemaEvolution`); none: today's behaviour. */
export type SchemaEvolutionOption = 'addColumns' | 'widenVarchar';

/** A target column as information_schema describes it (the fields of TargetColumn used here). */
export interface TableColumnShape {
  name: string;
  /** information_schema data_type, lowercase: `integer`, `character varying`, `numeric`... */
  type: string;
  maxLength: number | null;
  precision: number | null;
  scale: number | null;
}

/** A column found in the files: its Redshift type (Parquet footer, declared or inferred). */
export interface FileColumnShape {
  name: string;
  /** A Redshift type as createTable writes it: `varchar(300)`, `bigint`, `numeric(12,2)`. */
  type: string;
  /** Longest value seen, in bytes (CSV/JSON); widens a VARCHAR beyond the declared type. */
  longestBytes?: number | undefined;
  /** A VARCHAR whose length the source does not say (a Parquet string): never widens. */
  lengthUnknown?: boolean | undefined;
}

export interface SchemaChanges {
  /** `ALTER TABLE ... ADD COLUMN`: run inside the load transaction (rolled back with it). */
  addColumns: string[];
  /**
   * `ALTER TABLE ... ALTER COLUMN ... TYPE VARCHAR(n)`: Redshift does not run ALTER COLUMN inside
   * a transaction block, so these run as single statements before the load transaction. Widening
   * never invalidates a row, so a load that fails afterwards leaves a valid, wider table.
   */
  widenVarchar: string[];
}

/** Redshift's VARCHAR limit (bytes). */
export const MAX_VARCHAR = 65535;

type Family =
  | { kind: 'int'; rank: number }
  | { kind: 'numeric'; precision: number; scale: number }
  | { kind: 'float'; rank: number }
  | { kind: 'varchar'; length: number }
  | { kind: 'char'; length: number }
  | { kind: 'other'; name: string };

const INT_RANK: Record<string, number> = {
  smallint: 1,
  int2: 1,
  integer: 2,
  int: 2,
  int4: 2,
  bigint: 3,
  int8: 3,
};
const OTHER: Record<string, string> = {
  bool: 'boolean',
  boolean: 'boolean',
  date: 'date',
  time: 'time',
  'time without time zone': 'time',
  timetz: 'timetz',
  'time with time zone': 'timetz',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  super: 'super',
  geometry: 'geometry',
  varbyte: 'varbyte',
  'binary varying': 'varbyte',
};

function tableFamily(c: TableColumnShape): Family {
  const t = c.type.toLowerCase();
  if (INT_RANK[t] !== undefined) return { kind: 'int', rank: INT_RANK[t] };
  if (t === 'numeric' || t === 'decimal')
    return { kind: 'numeric', precision: c.precision ?? 18, scale: c.scale ?? 0 };
  if (t === 'real' || t === 'float4') return { kind: 'float', rank: 1 };
  if (t === 'double precision' || t === 'float8' || t === 'float') return { kind: 'float', rank: 2 };
  if (t === 'character varying' || t === 'varchar' || t === 'nvarchar' || t === 'text')
    return { kind: 'varchar', length: c.maxLength ?? 256 };
  if (t === 'character' || t === 'char' || t === 'bpchar' || t === 'nchar')
    return { kind: 'char', length: c.maxLength ?? 1 };
  return { kind: 'other', name: OTHER[t] ?? t };
}

/** A declared Redshift type (REDSHIFT_TYPE) in the shape information_schema would report. */
export function declaredShape(name: string, type: string): TableColumnShape {
  const t = type.trim().toLowerCase();
  if (!REDSHIFT_TYPE.test(t)) throw new Error(`unsupported column type "${type}" for "${name}"`);
  const m = /^([a-z ]+?)\s*(?:\((\d+|max)(?:,\s*(\d+))?\))?$/.exec(t);
  const base = m?.[1] ?? t;
  const arg = m?.[2] === 'max' ? MAX_VARCHAR : m?.[2] === undefined ? null : Number(m[2]);
  const scale = m?.[3] === undefined ? null : Number(m[3]);
  const numeric = base === 'numeric' || base === 'decimal';
  return {
    name,
    type: base,
    maxLength: numeric ? null : arg,
    precision: numeric ? (arg ?? 18) : null,
    scale: numeric ? (scale ?? 0) : null,
  };
}

function describe(f: Family): string {
  switch (f.kind) {
    case 'int':
      return ['smallint', 'integer', 'bigint'][f.rank - 1] ?? 'integer';
    case 'numeric':
      return `numeric(${f.precision},${f.scale})`;
    case 'float':
      return f.rank === 1 ? 'real' : 'double precision';
    case 'varchar':
      return `varchar(${f.length})`;
    case 'char':
      return `char(${f.length})`;
    default:
      return f.name;
  }
}

/** Why values of `file` cannot load into `table` as it is (null: they can). */
function narrowing(file: Family, table: Family): string | null {
  if (file.kind === 'int' && table.kind === 'int') return file.rank <= table.rank ? null : 'would narrow';
  if (file.kind === 'int' && (table.kind === 'numeric' || table.kind === 'float')) return null;
  if (file.kind === 'float' && table.kind === 'float') return file.rank <= table.rank ? null : 'would narrow';
  if (file.kind === 'numeric' && table.kind === 'numeric') {
    const fits = file.scale <= table.scale && file.precision - file.scale <= table.precision - table.scale;
    return fits ? null : 'would narrow';
  }
  if (file.kind === 'other' && table.kind === 'other') return file.name === table.name ? null : 'changed';
  if (file.kind === 'char' && table.kind === 'char')
    return file.length <= table.length ? null : 'would narrow';
  return file.kind === table.kind ? null : 'changed';
}

/** Widens a VARCHAR column in place (Redshift runs it only outside a transaction block). */
export function alterVarcharSql(table: QualifiedName, column: string, length: number): string {
  return `ALTER TABLE ${quoteQualified(table)} ALTER COLUMN ${quoteIdent(column, 'column name')} TYPE VARCHAR(${length})`;
}

/**
 * Compares the columns found in the files with the target's and returns the ALTER statements the
 * job's `schemaEvolution` allows. Every other difference (a column the files lack or renamed, a
 * changed or narrowed type, a VARCHAR too short without widenVarchar) is listed in one
 * SchemaMismatchError, so nothing is altered unless the whole load can proceed.
 */
export function planSchemaChanges(i: {
  table: QualifiedName;
  tableColumns: readonly TableColumnShape[];
  fileColumns: readonly FileColumnShape[];
  evolution: readonly SchemaEvolutionOption[];
  where: string;
}): SchemaChanges {
  const allow = new Set(i.evolution);
  const target = quoteQualified(i.table);
  const byName = new Map(i.tableColumns.map((c) => [c.name.toLowerCase(), c]));
  const inFiles = new Set(i.fileColumns.map((c) => c.name.toLowerCase()));
  const changes: SchemaChanges = { addColumns: [], widenVarchar: [] };
  const problems: string[] = [];

  for (const c of i.tableColumns) {
    if (!inFiles.has(c.name.toLowerCase()))
      problems.push(`column "${c.name}" of the table is missing from the files (removed or renamed?)`);
  }
  for (const f of i.fileColumns) {
    const declared = declaredShape(f.name, f.type);
    const fileFamily = tableFamily(declared);
    const needed =
      fileFamily.kind === 'varchar'
        ? Math.max(fileFamily.length, f.longestBytes ?? 0)
        : (f.longestBytes ?? 0);
    const existing = byName.get(f.name.toLowerCase());
    if (existing === undefined) {
      if (!allow.has('addColumns')) {
        problems.push(
          `new column "${f.name}" (${describe(fileFamily)}) is not in the table (allow it with schemaEvolution: [addColumns])`,
        );
        continue;
      }
      const type =
        fileFamily.kind === 'varchar'
          ? `VARCHAR(${Math.min(needed, MAX_VARCHAR)})`
          : describe(fileFamily).toUpperCase();
      // ADD COLUMN without NOT NULL or DEFAULT: the table's existing rows get NULL and keep their values.
      changes.addColumns.push(
        `ALTER TABLE ${target} ADD COLUMN ${quoteIdent(f.name, 'column name')} ${type}`,
      );
      continue;
    }
    const tableType = tableFamily(existing);
    if (tableType.kind === 'varchar') {
      if (needed <= tableType.length || (f.lengthUnknown === true && fileFamily.kind === 'varchar')) continue;
      if (needed > MAX_VARCHAR) {
        problems.push(
          `column "${existing.name}" needs ${needed} bytes, more than VARCHAR(${MAX_VARCHAR}) holds`,
        );
      } else if (!allow.has('widenVarchar')) {
        problems.push(
          `column "${existing.name}" is ${describe(tableType)} but the files need varchar(${needed}) (allow it with schemaEvolution: [widenVarchar])`,
        );
      } else {
        changes.widenVarchar.push(alterVarcharSql(i.table, existing.name, needed));
      }
      continue;
    }
    const why = narrowing(fileFamily, tableType);
    if (why !== null)
      problems.push(
        `column "${existing.name}" is ${describe(tableType)} in the table but ${describe(fileFamily)} in the files (${why})`,
      );
  }
  if (problems.length > 0) {
    throw new SchemaMismatchError(
      `${i.where} does not match table ${target}: ${problems.join('; ')}. Change the table by hand, fix the files, or allow the change with "schemaEvolution" in the job.`,
      { context: { differences: problems } },
    );
  }
  return changes;
}
