import { z } from 'zod';
import { SchemaMismatchError } from '../errors.ts';
import { type QualifiedName, quoteQualified, sqlString } from '../sql/identifiers.ts';

/**
 * A column of the target table as the plan reads it once per run (information_schema, which
 * Redshift and PostgreSQL both have) and passes down to every part: prepare checks values
 * against it without asking Redshift again.
 */
export const targetColumnSchema = z
  .object({
    name: z.string().min(1),
    /** information_schema data_type, lowercase: `integer`, `character varying`, `numeric`... */
    type: z.string().min(1),
    nullable: z.boolean(),
    hasDefault: z.boolean(),
    /** CHAR/VARCHAR length in bytes. */
    maxLength: z.number().int().positive().nullable(),
    precision: z.number().int().positive().nullable(),
    scale: z.number().int().nonnegative().nullable(),
    /** VARCHAR with schemaEvolution widenVarchar: values up to this many bytes are accepted (the run widens the column). */
    widenUpTo: z.number().int().positive().optional(),
  })
  .strict();
export type TargetColumn = z.infer<typeof targetColumnSchema>;

/** The columns of one table, in table order (name, type, nullable, default, length, precision, scale). */
export function targetColumnsSql(table: QualifiedName): string {
  return (
    'SELECT column_name, data_type, is_nullable, column_default, character_maximum_length, ' +
    'numeric_precision, numeric_scale FROM information_schema.columns ' +
    `WHERE table_schema = ${sqlString(table.schema ?? 'public')} AND table_name = ${sqlString(table.name)} ` +
    'ORDER BY ordinal_position'
  );
}

type Cell = string | number | boolean | null;

/** Rows of targetColumnsSql as TargetColumns; no rows means the table does not exist. */
export function parseTargetColumns(table: QualifiedName, rows: readonly Cell[][]): TargetColumn[] {
  if (rows.length === 0) {
    throw new SchemaMismatchError(
      `Target table ${quoteQualified(table)} was not found (information_schema.columns has no row for it). Create the table first, or fix "table" in the job.`,
    );
  }
  const int = (v: Cell) => (v === null || v === '' ? null : Number(v));
  return rows.map((row) => {
    const [name, type, nullable, columnDefault, maxLength, precision, scale] = row;
    return {
      name: String(name),
      type: String(type).toLowerCase(),
      nullable: String(nullable).toUpperCase() === 'YES',
      hasDefault: columnDefault !== null && columnDefault !== '',
      maxLength: int(maxLength ?? null),
      precision: int(precision ?? null),
      scale: int(scale ?? null),
    };
  });
}

/** The type as users write it, for messages: `numeric(10,2)`, `character varying(20)`. */
export function describeType(c: TargetColumn): string {
  if (c.maxLength !== null) return `${c.type}(${c.maxLength})`;
  if ((c.type === 'numeric' || c.type === 'decimal') && c.precision !== null) {
    return `${c.type}(${c.precision},${c.scale ?? 0})`;
  }
  return c.type;
}

/** The columns by lower-case name (Redshift folds unquoted identifiers to lower case). */
export function columnsByName(columns: readonly TargetColumn[]): Map<string, TargetColumn> {
  return new Map(columns.map((c) => [c.name.toLowerCase(), c]));
}
