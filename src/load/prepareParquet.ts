import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PartProcessingError, SchemaMismatchError } from '../errors.ts';
import { chunkKey, type LoadContext, type LoadPart, type PartSummary, stagingKeys } from './loadRun.ts';
import { type MeasuredColumn, measureParquetStrings } from './parquetStringLengths.ts';
import { parquetIncompatibility, parquetKind } from './parquetTypes.ts';
import { rangedObject } from './sourceStream.ts';
import { columnsByName } from './targetColumns.ts';

/**
 * Parquet: checked from its footer (column names in order, types), then copied as it is. With
 * widenVarchar, the string columns loading into a widenable VARCHAR are read to find their
 * longest value (the footer does not carry lengths), as the CSV/JSON pass does.
 */
export async function prepareParquet(
  s3: S3Client,
  context: LoadContext,
  part: LoadPart,
  label: string,
): Promise<{ files: PartSummary['files']; records: number; longest?: Record<string, number> | undefined }> {
  const { parquetMetadataAsync, parquetSchema } = await import('hyparquet');
  const buffer = rangedObject(s3, part);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new PartProcessingError(`${label} is not a readable Parquet file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const elements = parquetSchema(metadata).children.map((c) => c.element);
  const names = elements.map((e) => e.name.toLowerCase());
  const wanted = (context.fileColumns ?? context.tableColumns.map((c) => c.name)).map((c) => c.toLowerCase());
  if (names.length !== wanted.length || names.some((n, i) => n !== wanted[i])) {
    throw new SchemaMismatchError(
      `${label} has columns (${names.join(', ')}) but the load expects (${wanted.join(', ')}) in that order (COPY maps Parquet columns by position). Fix "columns" in the job or the file.`,
      { context: { file: label, found: names, expected: wanted } },
    );
  }
  const byName = columnsByName(context.tableColumns);
  const problems = elements.flatMap((e) => {
    const column = byName.get(e.name.toLowerCase());
    const why = column === undefined ? null : parquetIncompatibility(parquetKind(e), column);
    return why === null ? [] : [`column "${e.name}" ${why}`];
  });
  if (problems.length > 0) {
    throw new SchemaMismatchError(
      `${label} cannot load into ${context.table.schema}.${context.table.name}: ${problems.join('; ')}. Change the column's type in the table or write the file with matching types.`,
      { context: { file: label, problems } },
    );
  }
  const measured: MeasuredColumn[] = elements.flatMap((e) => {
    const column = byName.get(e.name.toLowerCase());
    return column?.widenUpTo !== undefined && parquetKind(e) === 'string' ? [{ name: e.name, column }] : [];
  });
  const longest =
    measured.length === 0
      ? undefined
      : (await measureParquetStrings(buffer, metadata, measured, label)).toJSON();
  const staging = stagingKeys(context);
  const key = chunkKey(staging, part.index, 0, '.parquet');
  const source = `${part.bucket}/${part.key.split('/').map(encodeURIComponent).join('/')}`;
  await s3.send(
    new CopyObjectCommand({
      Bucket: staging.bucket,
      Key: key,
      CopySource:
        part.versionId !== undefined && part.versionId !== 'null'
          ? `${source}?versionId=${part.versionId}`
          : source,
      ...(part.versionId === undefined ? { CopySourceIfMatch: part.etag } : {}),
    }),
  );
  const records = Number(metadata.num_rows);
  return { files: [{ url: `s3://${staging.bucket}/${key}`, bytes: part.size, records }], records, longest };
}
