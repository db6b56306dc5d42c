import { csvRecords } from '../csv/csvRecords.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { normalizeHeaderName } from './headerNames.ts';
import { DEFAULT_SAMPLE_RECORDS, type InferredColumn, inferCsvTypes, inferJsonTypes } from './inferTypes.ts';

/**
 * The columns `createTable` gets from the first `limit` records of a CSV or JSON (lines) text,
 * read as the job's format says: CSV names come from the header (through `columnMap`, else
 * normalised as header matching does: "Airport Name" -> airport_name), or from `columns` when the
 * file has none; JSON names are the objects' keys in lower case (Redshift folds column names, and
 * COPY's `json 'auto'` matches lowercase keys). Reading stops after `limit` records. `validate
 * --infer` and a run (createTable.infer, schemaEvolution addColumns) both use this function.
 */
export async function inferFromSample(
  chunks: AsyncIterable<string>,
  job: Pick<LoadJob, 'format' | 'columns'> & Partial<Pick<LoadJob, 'columnMap'>>,
  where: string,
  limit = DEFAULT_SAMPLE_RECORDS,
): Promise<InferredColumn[]> {
  const f = job.format;
  if (f.type === 'parquet')
    throw new Error(`${where}: Parquet needs no inference (createTable reads the footer)`);
  if (f.type === 'json') {
    const records: Record<string, unknown>[] = [];
    let line = 0;
    let rest = '';
    for await (const chunk of chunks) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const text of lines) {
        line++;
        if (text.trim() === '') continue;
        records.push(jsonObject(text, where, line));
        if (records.length >= limit) return lowerCase(inferJsonTypes(records, limit));
      }
    }
    if (rest.trim() !== '') records.push(jsonObject(rest, where, line + 1));
    return lowerCase(inferJsonTypes(records, limit));
  }
  const skip = f.skipLines ?? 0;
  let header: string[] | undefined = job.columns === undefined ? undefined : [...job.columns];
  const rows: string[][] = [];
  let seen = 0;
  for await (const r of csvRecords(chunks, { delimiter: f.delimiter ?? ',', quote: f.quote ?? '"' })) {
    if (seen++ < skip) continue;
    const values = r.fields.map((field) => field.value);
    if (f.header && seen === skip + 1) {
      header ??= values.map((v) => job.columnMap?.[v.trim()] ?? normalizeHeaderName(v));
      continue;
    }
    if (values.length === 1 && values[0] === '') continue;
    rows.push(values);
    if (rows.length >= limit) break;
  }
  if (header === undefined) {
    throw new Error(
      `${where}: the file has no header and the job no "columns": name the columns in the job first`,
    );
  }
  return inferCsvTypes(header, rows, limit);
}

function lowerCase(columns: InferredColumn[]): InferredColumn[] {
  return columns.map((c) => ({ ...c, name: c.name.toLowerCase() }));
}

function jsonObject(text: string, where: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} line ${line}: not JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${where} line ${line}: expected a JSON object per line`);
  return value as Record<string, unknown>;
}
