import type pg from 'pg';
import { pgIdent } from '../../sql/pgQuote.ts';
import type { CopyStatement } from '../parser/ast.ts';
import { RedshiftSqlError } from '../types.ts';

export type ColumnKind =
  | 'int2'
  | 'int4'
  | 'int8'
  | 'numeric'
  | 'float'
  | 'bool'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'char'
  | 'varchar'
  | 'text'
  | 'json'
  | 'other';

/** A target column as COPY needs it: name, how to validate values, length limits, nullability. */
export interface TargetColumn {
  name: string;
  typeName: string;
  kind: ColumnKind;
  /** CHAR/VARCHAR length in bytes (Redshift counts bytes), or numeric precision. */
  length?: number | undefined;
  scale?: number | undefined;
  notNull: boolean;
  hasDefault: boolean;
}

export interface TargetTable {
  oid: number;
  /** `"schema"."table"`, quoted for SQL. */
  sqlName: string;
  displayName: string;
  columns: TargetColumn[];
  /** The columns the file's fields map to, in file order. */
  loadColumns: TargetColumn[];
}

function kindOf(typeName: string): ColumnKind {
  if (typeName === 'smallint') return 'int2';
  if (typeName === 'integer') return 'int4';
  if (typeName === 'bigint') return 'int8';
  if (typeName.startsWith('numeric')) return 'numeric';
  if (typeName === 'real' || typeName === 'double precision') return 'float';
  if (typeName === 'boolean') return 'bool';
  if (typeName === 'date') return 'date';
  if (typeName.startsWith('timestamp') && typeName.endsWith('with time zone')) return 'timestamptz';
  if (typeName.startsWith('timestamp')) return 'timestamp';
  if (typeName.startsWith('character varying')) return 'varchar';
  if (typeName.startsWith('character') || typeName === 'bpchar') return 'char';
  if (typeName === 'text') return 'text';
  if (typeName === 'json' || typeName === 'jsonb') return 'json';
  return 'other';
}

/** Reads the target table's columns from the catalog once; Redshift's messages for a missing table or column. */
export async function readTargetTable(client: pg.ClientBase, st: CopyStatement): Promise<TargetTable> {
  const displayName = st.table.schema ? `${st.table.schema}.${st.table.name}` : st.table.name;
  const sqlName = st.table.schema
    ? `${pgIdent(st.table.schema)}.${pgIdent(st.table.name)}`
    : pgIdent(st.table.name);
  const rel = await client.query<{ oid: number | null }>('SELECT to_regclass($1)::oid AS oid', [sqlName]);
  const oid = rel.rows[0]?.oid;
  if (oid === null || oid === undefined)
    throw new RedshiftSqlError(`Cannot COPY into nonexistent table ${st.table.name}`, '42P01');
  const cols = await client.query<{ name: string; type: string; notnull: boolean; hasdefault: boolean }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS notnull, atthasdef AS hasdefault
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [oid],
  );
  const columns: TargetColumn[] = cols.rows.map((r) => {
    const kind = kindOf(r.type);
    const m = /\((\d+)(?:,(\d+))?\)/.exec(r.type);
    return {
      name: r.name,
      typeName: r.type,
      kind,
      length: m ? Number(m[1]) : kind === 'char' ? 1 : kind === 'varchar' ? 256 : undefined,
      scale: m?.[2] !== undefined ? Number(m[2]) : kind === 'numeric' && m ? 0 : undefined,
      notNull: r.notnull,
      hasDefault: r.hasdefault,
    };
  });
  let loadColumns = columns;
  if (st.columns) {
    loadColumns = st.columns.map((name) => {
      const c = columns.find((x) => x.name === name);
      if (!c)
        throw new RedshiftSqlError(`column "${name}" of relation "${st.table.name}" does not exist`, '42703');
      return c;
    });
    const dup = st.columns.find((c, i, all) => all.indexOf(c) !== i);
    if (dup !== undefined) throw new RedshiftSqlError(`column "${dup}" specified more than once`, '42701');
  }
  return { oid, sqlName, displayName, columns, loadColumns };
}
