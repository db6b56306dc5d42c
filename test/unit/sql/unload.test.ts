import { describe, expect, it } from 'vitest';
import { type UnloadOptions, unloadOptionsSchema } from '../../../src/job/exportJob.ts';
import { buildUnload, exportQuery } from '../../../src/sql/unload.ts';

const role = 'arn:aws:iam::123456789012:role/RedshiftS3Access';
const opts = (o: Record<string, unknown> = {}): UnloadOptions => unloadOptionsSchema.parse(o);

describe('Function: exportQuery', () => {
  it('quotes the table and columns', () => {
    expect(exportQuery({ table: 'public.sales', columns: ['salesid', 'Price Paid'] })).toBe(
      'SELECT "salesid", "Price Paid" FROM "public"."sales"',
    );
    expect(exportQuery({ table: { name: 'my.table' } })).toBe('SELECT * FROM "my.table"');
    expect(exportQuery({ query: "select 'x'" })).toBe("select 'x'");
  });

  it('rejects a bad table name', () => {
    expect(() => exportQuery({ table: 'a.b.c' })).toThrowError(
      expect.objectContaining({ name: 'SqlBuildError' }),
    );
  });
});

describe('Function: buildUnload', () => {
  it('builds a gzip CSV unload with header', () => {
    expect(
      buildUnload({
        query: "select * from sales where note = 'it''s' and path like 'a\\b';",
        to: 's3://rt-staging/job/run-1/',
        iamRole: role,
        options: opts({ format: 'csv', compression: 'gzip', header: true, maxFileSize: '256 MB' }),
      }),
    ).toBe(
      "UNLOAD ('select * from sales where note = ''it''''s'' and path like ''a\\\\b''') " +
        "TO 's3://rt-staging/job/run-1/' IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3Access' " +
        'FORMAT AS CSV HEADER GZIP MAXFILESIZE 256 MB MANIFEST VERBOSE ALLOWOVERWRITE',
    );
  });

  it('builds a partitioned parquet unload with KMS, region, cleanpath and PARALLEL OFF', () => {
    expect(
      buildUnload({
        query: 'select * from sales',
        to: 's3://rt-staging/p/',
        iamRole: 'default',
        options: opts({
          format: 'parquet',
          partitionBy: { columns: ['saledate', 'Region Name'], include: true },
          parallel: false,
          kms: 'alias/exports',
          region: 'eu-west-1',
          overwrite: 'cleanpath',
        }),
      }),
    ).toBe(
      "UNLOAD ('select * from sales') TO 's3://rt-staging/p/' IAM_ROLE default FORMAT AS PARQUET " +
        'PARTITION BY ("saledate", "Region Name") INCLUDE PARALLEL OFF ' +
        "ENCRYPTED KMS_KEY_ID 'alias/exports' REGION AS 'eu-west-1' MANIFEST VERBOSE CLEANPATH",
    );
  });

  it('builds a pipe-delimited text unload with its options', () => {
    expect(
      buildUnload({
        query: 'select 1',
        to: 's3://rt-staging/t/',
        iamRole: role,
        options: opts({
          format: 'text',
          delimiter: '\t',
          nullAs: '\\N',
          escape: true,
          addQuotes: true,
          compression: 'zstd',
        }),
      }),
    ).toBe(
      "UNLOAD ('select 1') TO 's3://rt-staging/t/' IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3Access' " +
        "DELIMITER AS '\t' NULL AS '\\\\N' ESCAPE ADDQUOTES ZSTD MANIFEST VERBOSE ALLOWOVERWRITE",
    );
  });

  it.each([
    [{ format: 'parquet', header: true }, 'HEADER cannot be used with FORMAT PARQUET'],
    [
      { format: 'parquet', compression: 'gzip' },
      'GZIP cannot be used with FORMAT PARQUET (Parquet compresses inside)',
    ],
    [{ format: 'json', delimiter: '|' }, 'DELIMITER cannot be used with FORMAT JSON'],
    [{ format: 'json', nullAs: 'x' }, 'NULL AS cannot be used with FORMAT JSON'],
    [
      { format: 'csv', addQuotes: true },
      'ADDQUOTES cannot be used with FORMAT CSV (CSV quotes fields itself)',
    ],
  ])('rejects %j', (options, message) => {
    expect(() =>
      buildUnload({ query: 'select 1', to: 's3://rt-staging/x/', iamRole: role, options: opts(options) }),
    ).toThrowError(`Invalid UNLOAD options: ${message}. Change the job's "unload" block.`);
  });

  it.each([
    [{ to: "s3://rt-staging/x'; drop table t; --/" }, /Invalid UNLOAD destination/],
    [{ to: 's3://Bad_Bucket/x/' }, /Invalid UNLOAD destination/],
    [{ iamRole: "arn:aws:iam::123456789012:role/x'y" }, /Invalid IAM role/],
    [{ options: { ...opts(), kms: "alias/x' --" } }, /Invalid KMS key/],
    [{ options: { ...opts(), region: "us-east-1' --" } }, /Invalid region/],
    [{ query: '  ;  ' }, /The UNLOAD query is empty/],
  ])('rejects unsafe input %j', (override, message) => {
    expect(() =>
      buildUnload({
        query: 'select 1',
        to: 's3://rt-staging/x/',
        iamRole: role,
        options: opts(),
        ...override,
      }),
    ).toThrowError(message);
  });
});
