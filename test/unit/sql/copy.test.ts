import { describe, expect, it } from 'vitest';
import { SqlBuildError } from '../../../src/errors.ts';
import { buildCopy } from '../../../src/sql/copy.ts';

const role = 'arn:aws:iam::123456789012:role/RedshiftCopy';

describe('Function: buildCopy', () => {
  it('builds a CSV COPY from a manifest with every conversion option', () => {
    const sql = buildCopy({
      table: { schema: 'public', name: 'sales' },
      columns: ['id', 'name', 'sold_at'],
      from: 's3://stage/load/run-1/copy.manifest',
      iamRole: role,
      manifest: true,
      format: { type: 'csv', delimiter: '\t', quote: "'" },
      compression: 'gzip',
      options: {
        dateFormat: 'YYYY-MM-DD',
        timeFormat: 'auto',
        nullAs: '\\N',
        emptyAsNull: true,
        blanksAsNull: true,
        trimBlanks: true,
        truncateColumns: true,
        acceptInvChars: '?',
        ignoreBlankLines: true,
        region: 'eu-west-1',
      },
      maxErrors: 10,
    });
    expect(sql).toBe(
      `COPY "public"."sales" ("id", "name", "sold_at") FROM 's3://stage/load/run-1/copy.manifest' ` +
        `IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftCopy' MANIFEST FORMAT AS CSV QUOTE AS '''' ` +
        `DELIMITER AS '\t' GZIP DATEFORMAT AS 'YYYY-MM-DD' TIMEFORMAT AS 'auto' NULL AS '\\\\N' EMPTYASNULL ` +
        `BLANKSASNULL TRIMBLANKS TRUNCATECOLUMNS IGNOREBLANKLINES ACCEPTINVCHARS AS '?' REGION AS 'eu-west-1' ` +
        'MAXERROR AS 10 COMPUPDATE OFF STATUPDATE OFF',
    );
  });

  it('builds a JSON COPY without a column list and with the default role', () => {
    expect(
      buildCopy({
        table: 'rt_stage',
        from: 's3://b/m',
        iamRole: 'default',
        manifest: true,
        format: { type: 'json' },
        compression: 'zstd',
        options: { acceptInvChars: true },
      }),
    ).toBe(
      `COPY "rt_stage" FROM 's3://b/m' IAM_ROLE default MANIFEST FORMAT AS JSON 'auto' ZSTD ACCEPTINVCHARS ` +
        'COMPUPDATE OFF STATUPDATE OFF',
    );
  });

  it('leaves text-only options out of a Parquet COPY', () => {
    expect(
      buildCopy({
        table: 'rt_stage',
        columns: ['a'],
        from: 's3://b/m',
        iamRole: role,
        manifest: true,
        format: { type: 'parquet' },
        compression: 'gzip',
        options: { dateFormat: 'auto', emptyAsNull: true },
        maxErrors: 3,
      }),
    ).toBe(
      `COPY "rt_stage" ("a") FROM 's3://b/m' IAM_ROLE '${role}' MANIFEST FORMAT AS PARQUET COMPUPDATE OFF STATUPDATE OFF`,
    );
  });

  it('adds SERIALIZETOJSON to a Parquet COPY that loads SUPER columns (nested columns need it)', () => {
    expect(
      buildCopy({
        table: 't',
        from: 's3://b/m',
        iamRole: 'default',
        manifest: true,
        format: { type: 'parquet', serializeToJson: true },
        compression: 'none',
      }),
    ).toBe(
      `COPY "t" FROM 's3://b/m' IAM_ROLE default MANIFEST FORMAT AS PARQUET SERIALIZETOJSON COMPUPDATE OFF STATUPDATE OFF`,
    );
  });

  it('skips header lines and escapes quotes in the URI', () => {
    expect(
      buildCopy({
        table: 't',
        columns: ['a', 'b'],
        from: "s3://b/it's.csv",
        iamRole: role,
        manifest: false,
        format: { type: 'csv', delimiter: ',', quote: '"' },
        compression: 'none',
        ignoreHeader: 1,
      }),
    ).toBe(
      `COPY "t" ("a", "b") FROM 's3://b/it''s.csv' IAM_ROLE '${role}' FORMAT AS CSV QUOTE AS '"' ` +
        `DELIMITER AS ',' IGNOREHEADER AS 1 COMPUPDATE OFF STATUPDATE OFF`,
    );
  });

  it('refuses a column name that cannot be quoted', () => {
    expect(() =>
      buildCopy({
        table: 't',
        columns: ['a"; drop table x; --'],
        from: 's3://b/m',
        iamRole: role,
        manifest: true,
        format: { type: 'json' },
        compression: 'none',
      }),
    ).toThrow(SqlBuildError);
  });
});
