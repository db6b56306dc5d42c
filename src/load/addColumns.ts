import type { S3Client } from '@aws-sdk/client-s3';
import type { LoadJob } from '../job/loadJob.ts';
import type { QualifiedName } from '../sql/identifiers.ts';
import { declaredShape, planSchemaChanges } from '../sql/schemaEvolution.ts';
import { normalizeHeaderName } from './headerNames.ts';
import { inferSourceColumns } from './inferSource.ts';
import type { SourceObjectRef } from './sourceStream.ts';
import type { TargetColumn } from './targetColumns.ts';

/** information_schema's data_type for the short names createTable writes. */
const INFORMATION_SCHEMA_TYPE: Record<string, string> = {
  varchar: 'character varying',
  varbyte: 'binary varying',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  time: 'time without time zone',
};

/**
 * The columns an `ADD COLUMN` adds join `tableColumns` (nullable, appended in file order: ADD
 * COLUMN appends), so that prepare checks their values and the COPY lists them.
 */
export function appendAddedColumns(
  tableColumns: TargetColumn[],
  found: readonly { name: string; type: string }[],
): void {
  const known = new Set(tableColumns.map((c) => c.name.toLowerCase()));
  for (const c of found) {
    if (known.has(c.name.toLowerCase())) continue;
    const shape = declaredShape(c.name, c.type);
    tableColumns.push({
      name: c.name,
      type: INFORMATION_SCHEMA_TYPE[shape.type] ?? shape.type,
      nullable: true,
      hasDefault: false,
      maxLength: shape.maxLength,
      precision: shape.precision,
      scale: shape.scale,
    });
  }
}

/**
 * schemaEvolution addColumns for CSV (with a header) and JSON: the first object's columns (named
 * and typed by inferSourceColumns, the inference `validate --infer` shows; a type declared in
 * createTable.columns wins) are compared with the target. Columns the table lacks become
 * `ADD COLUMN` statements for the load transaction and join `tableColumns`; a declared type that
 * would narrow or change an existing column is one SchemaMismatchError listing every difference
 * (planSchemaChanges). Existing columns are otherwise checked value by value in prepare, and a
 * table column the files lack loads NULL, as COPY does.
 */
export async function addColumnsFromText(
  s3: S3Client,
  job: LoadJob,
  table: QualifiedName,
  tableColumns: TargetColumn[],
  first: SourceObjectRef,
): Promise<string[]> {
  const inferred = await inferSourceColumns(s3, job, first, 'schemaEvolution addColumns');
  const declared = new Map((job.createTable?.columns ?? []).map((c) => [c.name.toLowerCase(), c.type]));
  const byName = new Map(tableColumns.map((c) => [c.name.toLowerCase(), c]));
  const byNormal = new Map(tableColumns.map((c) => [normalizeHeaderName(c.name), c]));
  const existing = (name: string) =>
    byName.get(name.toLowerCase()) ??
    (job.format.type === 'csv' ? byNormal.get(normalizeHeaderName(name)) : undefined);
  const found = inferred.map((c) => ({ name: c.name, type: declared.get(c.name.toLowerCase()) ?? c.type }));
  const fresh = found.filter((c) => existing(c.name) === undefined);
  const redeclared = found.flatMap((c) => {
    const column = existing(c.name);
    return column === undefined || !declared.has(c.name.toLowerCase()) ? [] : [{ column, type: c.type }];
  });
  const changes = planSchemaChanges({
    table,
    tableColumns: redeclared.map((d) => d.column),
    fileColumns: [
      // Lengths are checked value by value in prepare (widenVarchar widens them).
      ...redeclared.map((d) => ({ name: d.column.name, type: d.type, lengthUnknown: true })),
      ...fresh,
    ],
    evolution: job.schemaEvolution ?? [],
    where: `The columns of ${`s3://${first.bucket}/${first.key}`} (declared or inferred from its first records)`,
  });
  appendAddedColumns(tableColumns, fresh);
  return changes.addColumns;
}
