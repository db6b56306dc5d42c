import { describe, expect, it } from 'vitest';
import { JobValidationError } from '../../../src/errors.ts';
import { parseJob } from '../../../src/job/job.ts';
import { loadJobSchema, stagingOverlapsSource } from '../../../src/job/loadJob.ts';

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

describe('Schema: loadJobSchema', () => {
  it('fills defaults and parses to itself', () => {
    const job = loadJobSchema.parse(base);
    expect(job).toMatchObject({
      mode: 'append',
      maxErrors: 0,
      chunkSize: 64,
      format: { type: 'csv', header: false, compression: 'auto' },
      ledger: { schema: 'public', table: 'rt_load_ledger' },
      timeouts: { statement: 3600, spark: 7200 },
    });
    expect(loadJobSchema.parse(job)).toEqual(job);
    expect(parseJob(base).kind).toBe('load');
  });

  it('parses sizes, an object list with versions, and a trigger', () => {
    const job = loadJobSchema.parse({
      ...base,
      source: { objects: ['s3://landing/a.csv', { uri: 's3://landing/b.csv', versionId: 'v1' }] },
      trigger: { bucket: 'landing', prefix: 'in/', suffix: '.csv' },
      chunkSize: '1 GB',
    });
    expect(job.chunkSize).toBe(1024);
    expect(job.source).toEqual({
      objects: ['s3://landing/a.csv', { uri: 's3://landing/b.csv', versionId: 'v1' }],
    });
  });

  it('takes mode merge with keys, and names the missing keys without them', () => {
    expect(loadJobSchema.parse({ ...base, mode: 'merge', keys: ['id'] }).mode).toBe('merge');
    expect(problems({ ...base, mode: 'merge' })).toEqual([
      'keys: mode "merge" needs "keys": the columns that identify a row',
    ]);
    expect(problems({ ...base, mode: 'mirror', keys: ['id'] })).toEqual([
      'mode: Invalid option: expected one of "append"|"replace"|"upsert"|"merge"',
    ]);
  });

  it('takes a deleteMarker on a non-key column for upsert and merge, and names what is wrong otherwise', () => {
    const marker = { column: 'op', value: 'D' };
    expect(
      loadJobSchema.parse({ ...base, mode: 'upsert', keys: ['id'], deleteMarker: marker }).deleteMarker,
    ).toEqual(marker);
    expect(
      problems({ ...base, mode: 'merge', keys: ['id'], deleteMarker: { column: 'deleted', value: true } }),
    ).toEqual([]);
    expect(problems({ ...base, mode: 'append', keys: ['id'], deleteMarker: marker })).toEqual([
      'deleteMarker: deletes target rows by key: use mode upsert or merge, not "append"',
    ]);
    expect(
      problems({ ...base, mode: 'merge', keys: ['ID'], deleteMarker: { column: 'id', value: 1 } }),
    ).toEqual(['deleteMarker.column: "id" is a key: the marker must be another column of the target table']);
    expect(
      problems({ ...base, mode: 'upsert', keys: ['id'], columns: ['id', 'name'], deleteMarker: marker }),
    ).toEqual(['deleteMarker.column: "op" is not one of "columns"']);
    expect(problems({ ...base, mode: 'upsert', keys: ['id'], deleteMarker: { column: 'op' } })).toEqual([
      'deleteMarker.value: give the value that marks a row as deleted: a string, number or boolean',
    ]);
  });

  it('lists every problem by path, mode rules included', () => {
    expect(
      problems({
        ...base,
        source: undefined,
        mode: 'upsert',
        orderBy: 'updated"at',
        table: 'a.b.c',
        format: { type: 'parquet', header: true, compression: 'gzip' },
        copyOptions: { dateFormat: 'auto', emptyAsNull: true },
        maxErrors: 5,
        chunkSize: '2 GB',
      }),
    ).toEqual([
      'table: expected "table" or "schema.table" (give {schema, name} for names with dots)',
      'chunkSize: expected at most "1 GB"',
      'source: give "source" (a prefix or a list of objects), "trigger" (S3 events), or both',
      'keys: mode "upsert" needs "keys": the columns that identify a row',
      'orderBy: "orderBy" picks a winner among rows with the same keys: give "keys" too',
      'orderBy: Invalid name "updated\\"at": use 1-127 characters without double quotes, control characters or leading/trailing spaces.',
      'format.header: "header" is for CSV; parquet files name their columns',
      'format.compression: parquet files are compressed inside; use "auto" or "none"',
      'copyOptions.dateFormat: COPY does not accept this option with parquet',
      'copyOptions.emptyAsNull: COPY does not accept this option with parquet',
      'maxErrors: COPY from parquet does not accept MAXERROR; use 0',
    ]);
  });

  it('checks keys against columns, the CSV dialect, and staging against sources and the trigger', () => {
    expect(
      problems({
        ...base,
        columns: ['id', 'name', 'ID'],
        keys: ['id', 'missing'],
        format: { type: 'csv', delimiter: ';', quote: ';' },
        staging: 's3://landing/sales/tmp/',
        trigger: { bucket: 'landing', prefix: 'sales/' },
      }),
    ).toEqual([
      'columns[2]: "ID" is listed twice',
      'keys[1]: key "missing" is not one of "columns"',
      'format.quote: the quote character must differ from the delimiter',
      'staging: staging must not be inside the source prefix (prepared chunks would be loaded again)',
      'trigger.prefix: the staging prefix must not match the trigger (chunks would start loads)',
    ]);
  });
});

describe('Rule: staging and trigger', () => {
  it('compares the staging key as S3 holds it (read by the one S3 URI parser, not decoded as a URL path)', () => {
    // `tmp%2Fsales/` is a literal key: it neither holds nor sits under `tmp/sales/`.
    const trigger = { bucket: 'landing', prefix: 'tmp/sales/' };
    expect(problems({ ...base, staging: 's3://landing/tmp%2Fsales/', trigger })).toEqual([]);
    expect(problems({ ...base, staging: 's3://landing/tmp/sales/run/', trigger })).toEqual([
      'trigger.prefix: the staging prefix must not match the trigger (chunks would start loads)',
    ]);
  });
});

describe('Function: stagingOverlapsSource', () => {
  const staging = 's3://stage/loads/';
  it.each([
    ['s3://stage/', true],
    ['s3://stage/loads/', true],
    ['s3://stage/loads/job/', true],
    ['s3://stage/loads/job/run-1/', true],
    ['s3://stage/loads/job/run-1/chunks/', true],
    ['s3://stage/loads/job/run-1/ch', true],
    ['s3://stage/loads/job/run', true],
    ['s3://stage/lo', true],
    ['s3://stage/loads/job/run-1/unload/', false],
    ['s3://stage/loads/other/', false],
    ['s3://landing/in/', false],
  ])('source %s -> %s', (source, overlaps) => {
    expect(stagingOverlapsSource(staging, source, 'job')).toBe(overlaps);
  });
});
