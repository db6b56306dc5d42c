import { describe, expect, it } from 'vitest';
import { isRedshiftCommand } from '../../../../../local/redshift/commands/isRedshiftCommand.ts';
import { parseRedshiftCommand } from '../../../../../local/redshift/commands/parser/parseRedshiftCommand.ts';
import { RedshiftSqlError } from '../../../../../local/redshift/commands/types.ts';
import { seededRandom } from '../../../../helpers/seededRandom.ts';

const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/R'";

describe('isRedshiftCommand', () => {
  it.each([
    ["unload ('select 1') to 's3://b/p'", true],
    ["  -- comment\n /* block /* nested */ */ COPY t FROM 's3://b/k'", true],
    ['Copy t from stdin', true],
    ['select 1', false],
    ['-- unload\nselect 1', false],
    ['', false],
    ['unloaded_table', false],
  ])('%j -> %s', (sql, expected) => {
    expect(isRedshiftCommand(sql)).toBe(expected);
  });
});

describe('parseRedshiftCommand: UNLOAD', () => {
  it('reads the documented example with doubled quotes and options in any case and order', () => {
    const st = parseRedshiftCommand(
      `unload ('select * from venue where venuestate=''NV''') to 's3://b/venue_' ${ROLE} manifest verbose parallel off gzip maxfilesize as 100 mb header delimiter as ','`,
    );
    expect(st).toEqual({
      kind: 'unload',
      query: "select * from venue where venuestate='NV'",
      to: 's3://b/venue_',
      authorization: { kind: 'iamRole', roles: ['arn:aws:iam::123456789012:role/R'] },
      format: 'text',
      header: true,
      delimiter: ',',
      addQuotes: false,
      escape: false,
      allowOverwrite: false,
      cleanPath: false,
      parallel: false,
      manifest: { verbose: true },
      compression: 'gzip',
      maxFileSize: 100 * 1024 * 1024,
    });
  });

  it('reads backslash-escaped quotes and IAM_ROLE default, PARTITION BY ... INCLUDE, FORMAT AS PARQUET', () => {
    const st = parseRedshiftCommand(
      "UNLOAD ('select * from t where a=\\'x\\' and b=''y''') TO 's3://b/p/' IAM_ROLE default FORMAT AS PARQUET PARTITION BY (a, \"B\") INCLUDE;",
    );
    expect(st).toMatchObject({
      query: "select * from t where a='x' and b='y'",
      authorization: { kind: 'iamRole', roles: 'default' },
      format: 'parquet',
      partitionBy: { columns: ['a', 'b'], include: true },
    });
  });

  it.each([
    ['PARQUET DELIMITER', "FORMAT PARQUET DELIMITER ','", 'PARQUET is not compatible with DELIMITER.'],
    ['PARQUET HEADER', 'PARQUET HEADER', 'PARQUET is not compatible with HEADER.'],
    ['PARQUET GZIP', 'PARQUET GZIP', 'PARQUET is not compatible with GZIP.'],
    ['CSV FIXEDWIDTH', "CSV FIXEDWIDTH 'a:1'", 'CSV is not compatible with FIXEDWIDTH.'],
    ['CSV ADDQUOTES', 'CSV ADDQUOTES', 'CSV is not compatible with ADDQUOTES.'],
    ['JSON NULL AS', "JSON NULL AS 'x'", 'JSON is not compatible with NULL AS.'],
    ['HEADER FIXEDWIDTH', "HEADER FIXEDWIDTH 'a:1'", 'HEADER is not compatible with FIXEDWIDTH.'],
    [
      'CLEANPATH ALLOWOVERWRITE',
      'CLEANPATH ALLOWOVERWRITE',
      'CLEANPATH is not compatible with ALLOWOVERWRITE.',
    ],
    ['GZIP ZSTD', 'GZIP ZSTD', 'GZIP is not compatible with ZSTD.'],
    ['duplicate', 'HEADER HEADER', 'conflicting or redundant options: HEADER'],
    ['VERBOSE alone', 'VERBOSE', 'VERBOSE is only valid directly after MANIFEST (MANIFEST VERBOSE).'],
    ['MAXFILESIZE small', 'MAXFILESIZE 1 MB', 'MAXFILESIZE must be between 5 MB and 6.2 GB.'],
    ['KMS without ENCRYPTED', "KMS_KEY_ID 'k'", 'KMS_KEY_ID requires the ENCRYPTED option.'],
    [
      'IAM_ROLE with keys',
      "ACCESS_KEY_ID 'a' SECRET_ACCESS_KEY 's'",
      'IAM_ROLE cannot be used with ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN or CREDENTIALS: use one form of authorization.',
    ],
  ])('rejects %s', (_label, options, message) => {
    expect(() => parseRedshiftCommand(`UNLOAD ('select 1') TO 's3://b/p' ${ROLE} ${options}`)).toThrow(
      message,
    );
  });

  it('rejects an outer LIMIT but accepts one in a subquery or string', () => {
    expect(() => parseRedshiftCommand(`UNLOAD ('select * from t limit 10') TO 's3://b/p' ${ROLE}`)).toThrow(
      /Limit clause is not supported/,
    );
    expect(
      parseRedshiftCommand(
        `UNLOAD ('select * from (select * from t limit 10) where x = ''limit''') TO 's3://b/p' ${ROLE}`,
      ).kind,
    ).toBe('unload');
  });

  it('gives PostgreSQL-style syntax errors with the position', () => {
    expect(() => parseRedshiftCommand(`UNLOAD ('select 1') TO 's3://b/p' ${ROLE} BOGUS`)).toThrow(
      'syntax error at or near "BOGUS" (position 79): unknown UNLOAD option BOGUS',
    );
    expect(() => parseRedshiftCommand("UNLOAD ('select 1) TO 's3://b/p'")).toThrow(/syntax error/);
    expect(() => parseRedshiftCommand("UNLOAD ('select 1') TO 's3://b/p'")).toThrow(/Missing authorization/);
  });
});

describe('parseRedshiftCommand: COPY', () => {
  it('reads table, column list, CSV QUOTE, octal/escaped delimiters and conversion options', () => {
    const st = parseRedshiftCommand(
      "copy public.sales (a, b) from 's3://b/x' credentials 'aws_iam_role=arn:aws:iam::123456789012:role/R' csv quote as '''' ignoreheader 1 delimiter '\\t' null as '\\N' maxerror as 10 dateformat 'auto' timeformat 'epochsecs' acceptinvchars truncatecolumns",
    );
    expect(st).toMatchObject({
      kind: 'copy',
      table: { schema: 'public', name: 'sales' },
      columns: ['a', 'b'],
      format: 'csv',
      quote: "'",
      ignoreHeader: 1,
      delimiter: '\t',
      nullAs: '\\N',
      maxError: 10,
      dateFormat: 'auto',
      timeFormat: 'epochsecs',
      acceptInvChars: '?',
      truncateColumns: true,
    });
    expect(parseRedshiftCommand(`copy t from 's3://b/x' ${ROLE} delimiter '\\001'`)).toMatchObject({
      delimiter: '\u0001',
    });
  });

  it.each([
    ["CSV FIXEDWIDTH 'a:1'", 'CSV is not compatible with FIXEDWIDTH.'],
    ['CSV REMOVEQUOTES', 'CSV is not compatible with REMOVEQUOTES.'],
    ['CSV ESCAPE', 'CSV is not compatible with ESCAPE.'],
    ['PARQUET MAXERROR 5', 'MAXERROR argument is not supported for PARQUET based COPY'],
    [
      'CSV SERIALIZETOJSON',
      'SERIALIZETOJSON argument is only supported for PARQUET or ORC based COPY, not CSV.',
    ],
    ['PARQUET SERIALIZETOJSON SERIALIZETOJSON', 'conflicting or redundant options: SERIALIZETOJSON'],
    ["JSON 'auto' DELIMITER ','", 'JSON is not compatible with DELIMITER.'],
    ['IGNOREALLERRORS MAXERROR 3', 'IGNOREALLERRORS is not compatible with MAXERROR.'],
    ['LZOP GZIP', 'LZOP is not compatible with GZIP.'],
    ['EMPTYASNULL EMPTYASNULL', 'conflicting or redundant options: EMPTYASNULL'],
    ["REGION 'us-east-1' REGION AS 'eu-west-1'", 'conflicting or redundant options: REGION'],
    ['CSV FORMAT AS CSV', 'conflicting or redundant options: CSV'],
    ['BOGUS', 'syntax error at or near "BOGUS" (position 68): unknown COPY option BOGUS'],
  ])('rejects %s', (options, message) => {
    expect(() => parseRedshiftCommand(`COPY t FROM 's3://b/x' ${ROLE} ${options}`)).toThrow(message);
  });

  it('reads the options it shares with UNLOAD and the bare-word flags', () => {
    expect(
      parseRedshiftCommand(
        `COPY t FROM 's3://b/x' ${ROLE} LZOP DELIMITER AS '|' NULL AS 'nil' REGION AS 'eu-west-1' ESCAPE MANIFEST EMPTYASNULL NOLOAD EXPLICIT_IDS`,
      ),
    ).toMatchObject({
      compression: 'lzop',
      delimiter: '|',
      nullAs: 'nil',
      region: 'eu-west-1',
      escape: true,
      manifest: true,
      emptyAsNull: true,
      blanksAsNull: false,
      noLoad: true,
      explicitIds: true,
    });
    expect(() => parseRedshiftCommand(`UNLOAD ('select 1') TO 's3://b/p' ${ROLE} LZOP`)).toThrow(
      /unknown UNLOAD option LZOP/,
    );
  });

  it('reads SERIALIZETOJSON after PARQUET or ORC, in either spelling of the format', () => {
    for (const format of ['FORMAT AS PARQUET', 'PARQUET', 'FORMAT ORC'])
      expect(parseRedshiftCommand(`COPY t FROM 's3://b/x' ${ROLE} ${format} SERIALIZETOJSON`)).toMatchObject({
        serializeToJson: true,
      });
    expect(parseRedshiftCommand(`COPY t FROM 's3://b/x' ${ROLE} PARQUET`)).toMatchObject({
      serializeToJson: false,
    });
  });

  it('refuses FROM STDIN with a pointer to S3', () => {
    expect(() => parseRedshiftCommand('COPY t FROM STDIN')).toThrow(/COPY FROM STDIN is not supported/);
  });
});

describe('parser fuzz', () => {
  // Deterministic PRNG: failures are reproducible from the seed.
  const rng = seededRandom;
  const valid = [
    `UNLOAD ('select * from venue where venuestate=''NV''') TO 's3://b/venue_' ${ROLE} MANIFEST VERBOSE PARALLEL OFF GZIP`,
    `COPY public.sales (a,b) FROM 's3://b/x' ${ROLE} CSV QUOTE AS '"' IGNOREHEADER 1 MAXERROR 10 DATEFORMAT 'auto'`,
  ];
  const alphabet = `'"()\\,;.-/* \n\tUNLOADCOPYTOFROMIAM_ROLEcsvparquet0123456789é✓\u0000`;

  const mustRejectCleanly = (sql: string) => {
    try {
      parseRedshiftCommand(sql);
    } catch (err) {
      expect(err).toBeInstanceOf(RedshiftSqlError);
    }
  };

  it('truncations, byte flips and random garbage are rejected with RedshiftSqlError, never a crash', () => {
    const r = rng(20240601);
    for (const base of valid) {
      for (let cut = 0; cut <= base.length; cut++) mustRejectCleanly(base.slice(0, cut));
      for (let i = 0; i < 1500; i++) {
        const chars = [...base];
        const n = 1 + Math.floor(r() * 4);
        for (let k = 0; k < n; k++) {
          const pos = Math.floor(r() * chars.length);
          const op = r();
          const ch = alphabet[Math.floor(r() * alphabet.length)] as string;
          if (op < 0.33) chars[pos] = ch;
          else if (op < 0.66) chars.splice(pos, 1);
          else chars.splice(pos, 0, ch);
        }
        mustRejectCleanly(chars.join(''));
      }
    }
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(r() * 200);
      let s = r() < 0.5 ? 'UNLOAD ' : 'COPY ';
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(r() * alphabet.length)];
      mustRejectCleanly(s);
    }
  });

  it('huge inputs (unbalanced quotes, deep comments, long option lists) finish promptly', () => {
    const big = 'x'.repeat(2_000_000);
    mustRejectCleanly(`UNLOAD ('${big}`);
    mustRejectCleanly(`UNLOAD ('select 1') TO 's3://b/p' ${ROLE} ${'HEADER '.repeat(100_000)}`);
    mustRejectCleanly(`COPY t FROM 's3://b/x' ${ROLE} /*${'/*'.repeat(100_000)}`);
    mustRejectCleanly(`COPY t (${'c,'.repeat(200_000)}c) FROM 's3://b/x' ${ROLE}`);
    expect(parseRedshiftCommand(`UNLOAD ('select ''${big}''') TO 's3://b/p' ${ROLE}`).kind).toBe('unload');
  });
});
