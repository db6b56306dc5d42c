import { CopyObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BadRecordError, PartProcessingError, SchemaMismatchError } from '../errors.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { objectVersion } from '../sql/ledger.ts';
import { checkValue, isCharacterType } from './checkValue.ts';
import { ChunkWriter } from './chunkWriter.ts';
import {
  type CsvDialect,
  type CsvField,
  csvRecords,
  formatCsvRecord,
  UnterminatedQuoteError,
} from './csvRecords.ts';
import {
  chunkKey,
  type LoadContext,
  type LoadPart,
  type PartSummary,
  partSummaryKey,
  stagingKeys,
} from './loadRun.ts';
import { decompress, openObject, s3Url, utf8Text } from './sourceStream.ts';
import type { TargetColumn } from './targetColumns.ts';

const MAX_SAMPLES = 20;

export interface PrepareInput {
  s3: S3Client;
  job: LoadJob;
  context: LoadContext;
  part: LoadPart;
}

/**
 * Prepares one source object for COPY, streaming it once with bounded memory: decompress,
 * check every record against the target's columns (header names, column count, values), count
 * the records, and deal them round-robin into `part.chunks` gzip chunks under the run's staging
 * prefix (deterministic keys, so a retry overwrites). A bad record is a BadRecordError naming the
 * file, line and column before anything is loaded; with `maxErrors` it is skipped and reported
 * instead. Parquet is checked from its footer and copied as it is. The part's summary is written
 * next to the chunks for writeCopyManifest and returned.
 */
export async function preparePart({ s3, job, context, part }: PrepareInput): Promise<PartSummary> {
  const label = s3Url(part);
  const staging = stagingKeys(context);
  const rejects = new Rejects(job.maxErrors, label);
  let files: PartSummary['files'];
  let records: number;

  if (job.format.type === 'parquet') {
    ({ files, records } = await prepareParquet(s3, context, part, label));
  } else {
    const bytes = decompress(await openObject(s3, part), part.compression, label);
    const text = utf8Text(bytes, label, job.copyOptions.acceptInvChars !== false);
    const prepared =
      job.format.type === 'csv'
        ? csvPrepared(text, job, context, label, rejects)
        : jsonPrepared(text, context, label, rejects);
    const writers = Array.from(
      { length: part.chunks },
      (_, c) => new ChunkWriter(s3, staging.bucket, chunkKey(staging, part.index, c, chunkExtension(job))),
    );
    records = 0;
    try {
      for await (const line of prepared) {
        await (writers[records % writers.length] as ChunkWriter).write(line);
        records++;
      }
      const sizes = await Promise.all(writers.map((w) => w.end()));
      files = writers.map((w, i) => ({
        url: `s3://${staging.bucket}/${w.key}`,
        bytes: sizes[i] ?? 0,
        records: w.records,
      }));
    } catch (error) {
      await Promise.all(writers.map((w) => w.abort()));
      bytes.destroy();
      if (error instanceof UnterminatedQuoteError) {
        throw new BadRecordError(
          `Bad record in ${label} line ${error.line}: a quoted field is never closed (the file ends inside it). Fix the file and load it again; nothing was loaded.`,
          { context: { file: label, line: error.line } },
        );
      }
      throw error;
    }
  }

  const summary: PartSummary = {
    index: part.index,
    bucket: part.bucket,
    key: part.key,
    objectVersion: objectVersion({ etag: part.etag }),
    records,
    rejected: rejects.count,
    rejectedSamples: rejects.samples,
    files,
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: staging.bucket,
      Key: partSummaryKey(staging, part.index),
      Body: JSON.stringify(summary),
      ContentType: 'application/json',
    }),
  );
  return summary;
}

/** Prepared chunks are always gzip; the extension says what is inside. */
export function chunkExtension(job: LoadJob): string {
  return job.format.type === 'json' ? '.json.gz' : job.format.type === 'parquet' ? '.parquet' : '.csv.gz';
}

/** Counts rejected records; throws when the job tolerates no more of them. */
class Rejects {
  count = 0;
  samples: PartSummary['rejectedSamples'] = [];

  constructor(
    private readonly maxErrors: number,
    private readonly label: string,
  ) {}

  add(line: number, column: string | undefined, reason: string): void {
    this.count++;
    const where = `${this.label} line ${line}${column === undefined ? '' : `, column "${column}"`}`;
    if (this.maxErrors === 0) {
      throw new BadRecordError(
        `Bad record in ${where}: ${reason}. Nothing was loaded. Fix the file and load it again (or set maxErrors to skip bad rows).`,
        { context: { file: this.label, line, column, reason } },
      );
    }
    if (this.count > this.maxErrors) {
      throw new BadRecordError(
        `More than maxErrors (${this.maxErrors}) bad records in ${this.label}; the last in ${where}: ${reason}. Nothing was loaded.`,
        { context: { file: this.label, line, column, reason, rejected: this.count } },
      );
    }
    if (this.samples.length < MAX_SAMPLES) {
      this.samples.push({ line, ...(column === undefined ? {} : { column }), reason });
    }
  }
}

function columnsByName(columns: readonly TargetColumn[]): Map<string, TargetColumn> {
  return new Map(columns.map((c) => [c.name.toLowerCase(), c]));
}

/**
 * The file's header checked against the run's column order: every name must be a column of the
 * table and the set must be the run's (the first file's header, or `columns`). Returns, for each
 * run column, the index of the file field that holds it.
 */
export function headerOrder(
  header: readonly CsvField[],
  fileColumns: readonly string[],
  label: string,
): number[] {
  const names = header.map((f) => f.value.trim().toLowerCase());
  const wanted = fileColumns.map((c) => c.toLowerCase());
  const unknown = names.filter((n) => !wanted.includes(n));
  const missing = wanted.filter((n) => !names.includes(n));
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (unknown.length > 0 || missing.length > 0 || twice.length > 0) {
    const problems = [
      unknown.length > 0 ? `unexpected column(s) ${unknown.map((n) => `"${n}"`).join(', ')}` : '',
      missing.length > 0 ? `missing column(s) ${missing.map((n) => `"${n}"`).join(', ')}` : '',
      twice.length > 0 ? `column(s) named twice ${twice.map((n) => `"${n}"`).join(', ')}` : '',
    ].filter((p) => p !== '');
    throw new SchemaMismatchError(
      `The header of ${label} (line 1) does not match the load's columns (${fileColumns.join(', ')}): ${problems.join('; ')}. Fix the file's header, or "columns" in the job.`,
      { context: { file: label, line: 1, unknown, missing } },
    );
  }
  return wanted.map((n) => names.indexOf(n));
}

/** The value COPY will see for a CSV field, or null (NULL AS, empty non-character, EMPTYASNULL...). */
function csvValue(field: CsvField, column: TargetColumn, options: LoadJob['copyOptions']): string | null {
  const nullAs = options.nullAs ?? '\\N';
  if (!field.quoted && field.value === nullAs) return null;
  const char = isCharacterType(column.type);
  if (field.value === '') {
    if (!char) return null;
    return options.emptyAsNull ? null : '';
  }
  if (char && options.blanksAsNull && field.value.trim() === '') return null;
  return char && options.trimBlanks ? field.value.replace(/ +$/, '') : field.value;
}

async function* csvPrepared(
  text: AsyncIterable<string>,
  job: LoadJob,
  context: LoadContext,
  label: string,
  rejects: Rejects,
): AsyncGenerator<string> {
  const dialect: CsvDialect = { delimiter: job.format.delimiter ?? ',', quote: job.format.quote ?? '"' };
  const fileColumns = context.fileColumns ?? context.tableColumns.map((c) => c.name);
  const byName = columnsByName(context.tableColumns);
  const columns = fileColumns.map((name) => {
    const column = byName.get(name.toLowerCase());
    if (column === undefined) {
      throw new SchemaMismatchError(`Column "${name}" is not a column of the target table.`);
    }
    return column;
  });
  let order: number[] | undefined;
  let first = true;
  for await (const record of csvRecords(text, dialect)) {
    if (first && job.format.header) {
      first = false;
      order = headerOrder(record.fields, fileColumns, label);
      continue;
    }
    first = false;
    const f0 = record.fields[0];
    if (record.fields.length === 1 && f0 !== undefined && f0.value === '' && !f0.quoted) {
      if (job.copyOptions.ignoreBlankLines) continue;
    }
    if (record.fields.length !== columns.length) {
      rejects.add(
        record.line,
        undefined,
        `${record.fields.length} field(s), expected ${columns.length} (${fileColumns.join(', ')})`,
      );
      continue;
    }
    const fields = order === undefined ? record.fields : order.map((i) => record.fields[i] as CsvField);
    let bad = false;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as TargetColumn;
      const problem = checkValue(
        column,
        csvValue(fields[i] as CsvField, column, job.copyOptions),
        job.copyOptions,
      );
      if (problem !== null) {
        rejects.add(record.line, column.name, problem);
        bad = true;
        break;
      }
    }
    if (!bad) yield formatCsvRecord(fields, dialect);
  }
}

async function* jsonLines(text: AsyncIterable<string>): AsyncGenerator<{ line: number; text: string }> {
  let buffer = '';
  let line = 0;
  for await (const chunk of text) {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl !== -1) {
      line++;
      yield { line, text: buffer.slice(0, nl).replace(/\r$/, '') };
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  }
  if (buffer !== '') yield { line: line + 1, text: buffer.replace(/\r$/, '') };
}

async function* jsonPrepared(
  text: AsyncIterable<string>,
  context: LoadContext,
  label: string,
  rejects: Rejects,
): AsyncGenerator<string> {
  const byExactName = new Map(context.tableColumns.map((c) => [c.name, c]));
  for await (const { line, text: source } of jsonLines(text)) {
    if (source.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      rejects.add(line, undefined, `not valid JSON (${(error as Error).message})`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      rejects.add(line, undefined, 'expected one JSON object per line');
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!byExactName.has(key)) {
        throw new SchemaMismatchError(
          `${label} line ${line}: field "${key}" is not a column of ${context.table.schema}.${context.table.name} (COPY JSON 'auto' matches lowercase column names exactly; columns: ${[...byExactName.keys()].join(', ')}). Rename the field or the column.`,
          { context: { file: label, line, column: key } },
        );
      }
    }
    let bad = false;
    for (const column of context.tableColumns) {
      const v = record[column.name];
      let problem: string | null;
      if (v === undefined) {
        // COPY loads an absent field as NULL (the column's default applies only to columns left
        // out of the column list, and a JSON load has none).
        problem = column.nullable
          ? null
          : `missing NOT NULL column "${column.name}" (an absent field loads as NULL)`;
      } else if (v !== null && typeof v === 'object') {
        problem = column.type === 'super' ? null : `a nested JSON value cannot go into ${column.type}`;
      } else {
        problem = checkValue(column, v === null ? null : String(v), {});
      }
      if (problem !== null) {
        rejects.add(line, column.name, problem);
        bad = true;
        break;
      }
    }
    if (!bad) yield `${source}\n`;
  }
}

async function prepareParquet(
  s3: S3Client,
  context: LoadContext,
  part: LoadPart,
  label: string,
): Promise<{ files: PartSummary['files']; records: number }> {
  const { parquetMetadataAsync, parquetSchema } = await import('hyparquet');
  const buffer = {
    byteLength: part.size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = (end ?? part.size) - 1;
      const body = await openObject(s3, part, `bytes=${start}-${stop}`);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const all = Buffer.concat(chunks);
      return all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer;
    },
  };
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new PartProcessingError(`${label} is not a readable Parquet file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const names = parquetSchema(metadata).children.map((c) => c.element.name.toLowerCase());
  const wanted = (context.fileColumns ?? context.tableColumns.map((c) => c.name)).map((c) => c.toLowerCase());
  if (names.length !== wanted.length || names.some((n, i) => n !== wanted[i])) {
    throw new SchemaMismatchError(
      `${label} has columns (${names.join(', ')}) but the load expects (${wanted.join(', ')}) in that order (COPY maps Parquet columns by position). Fix "columns" in the job or the file.`,
      { context: { file: label, found: names, expected: wanted } },
    );
  }
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
  return { files: [{ url: `s3://${staging.bucket}/${key}`, bytes: part.size, records }], records };
}
