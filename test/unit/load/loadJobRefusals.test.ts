import { describe, expect, it } from 'vitest';
import { JobValidationError } from '../../../src/errors.ts';
import { parseJob } from '../../../src/job/job.ts';

/** Every refusal of a load job's options that had no exact-message test (docs/load.md, "A load job"). */
const base = {
  kind: 'load',
  name: 'sales',
  target: { clusterIdentifier: 'prod', database: 'dev', dbUser: 'etl' },
  iamRole: 'arn:aws:iam::123456789012:role/Copy',
  table: 'public.sales',
  source: { prefix: 's3://landing/sales/' },
  staging: 's3://stage/loads/',
};

function problems(doc: Record<string, unknown>): string[] {
  try {
    parseJob(doc);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(JobValidationError);
    return [...(error as JobValidationError).issues];
  }
}

describe('load job refusals, message by message', () => {
  it('JSON: "columns" only with jsonPaths; keys and jsonPaths are for JSON and exclusive', () => {
    expect(problems({ ...base, format: { type: 'json' }, columns: ['id'] })).toEqual([
      'columns: JSON fields are matched to columns by name; remove "columns" (or give "format.jsonPaths")',
    ]);
    expect(problems({ ...base, format: { type: 'csv', keys: 'ignorecase' } })).toEqual([
      'format.keys: is for JSON; csv files name columns otherwise',
    ]);
    expect(problems({ ...base, format: { type: 'parquet', jsonPaths: 's3://landing/paths.json' } })).toEqual([
      'format.jsonPaths: is for JSON, not parquet',
    ]);
    expect(
      problems({
        ...base,
        format: { type: 'json', keys: 'ignorecase', jsonPaths: 's3://landing/paths.json' },
      }),
    ).toEqual(['format.keys: the JSONPaths file names the fields exactly; remove "keys" or "jsonPaths"']);
  });

  it('columnMap needs CSV with a header and no "columns"', () => {
    expect(
      problems({ ...base, format: { type: 'json' }, columnMap: { 'Airport Name': 'airport_name' } }),
    ).toEqual([
      'columnMap: maps header names to columns: use it with format.type "csv" and format.header true',
    ]);
    expect(
      problems({
        ...base,
        format: { type: 'csv', header: true },
        columns: ['airport_name'],
        columnMap: { 'Airport Name': 'airport_name' },
      }),
    ).toEqual([
      'columnMap: "columns" already names the fields by position (the header is skipped); keep one',
    ]);
  });

  it('createTable: a distKey with another distStyle', () => {
    expect(
      problems({
        ...base,
        createTable: { columns: [{ name: 'id', type: 'bigint' }], distKey: 'id', distStyle: 'even' },
      }),
    ).toEqual(['createTable.distStyle: a distKey needs distStyle "key" (or leave distStyle out)']);
  });

  it('skipLines is for CSV; a schedule needs a source', () => {
    expect(problems({ ...base, format: { type: 'json', skipLines: 2 } })).toEqual([
      'format.skipLines: skips lines of CSV files; json files have no preamble',
    ]);
    const { source: _source, ...noSource } = base;
    expect(
      problems({
        ...noSource,
        trigger: { bucket: 'landing', prefix: 'sales/' },
        schedule: { expression: 'cron(0 3 * * ? *)' },
      }),
    ).toEqual(['schedule: a scheduled load needs "source" (what to load on each run)']);
  });

  it('CSV: a backslash delimiter or quote; emptyAsNull with nullAs ""', () => {
    expect(problems({ ...base, format: { type: 'csv', delimiter: '\\' } })).toEqual([
      'format.delimiter: a backslash cannot be used',
    ]);
    expect(problems({ ...base, format: { type: 'csv', quote: '\\' } })).toEqual([
      'format.quote: a backslash cannot be used',
    ]);
    expect(problems({ ...base, copyOptions: { emptyAsNull: true, nullAs: '' } })).toEqual([
      'copyOptions.emptyAsNull: redundant with nullAs ""; keep one of them',
    ]);
  });
});
