import { StringDecoder } from 'node:string_decoder';
import { describe, expect, it } from 'vitest';
import { ValueConverter } from '../../../../../local/redshift/commands/copy/convertValue.ts';
import { CsvLoadEncoder, pgCopyField } from '../../../../../local/redshift/commands/copy/csvLoadEncoder.ts';
import type { LoadErrorRow } from '../../../../../local/redshift/commands/copy/loadErrors.ts';
import { csvReader } from '../../../../../local/redshift/commands/copy/recordReaders.ts';
import { rejectRecord } from '../../../../../local/redshift/commands/copy/rejectRecord.ts';
import type { TargetColumn } from '../../../../../local/redshift/commands/copy/targetColumns.ts';
import type { CopyStatement } from '../../../../../local/redshift/commands/parser/ast.ts';
import { parseRedshiftCommand } from '../../../../../local/redshift/commands/parser/parseRedshiftCommand.ts';

// The byte-level CSV encoder must load exactly what the string reader + converter load (same
// PostgreSQL COPY text, same rejected records with the same lines, raw text and reasons).
const col = (name: string, typeName: string, kind: TargetColumn['kind'], extra: Partial<TargetColumn> = {}) =>
  ({ name, typeName, kind, notNull: false, hasDefault: false, ...extra }) as TargetColumn;

const COLUMNS: TargetColumn[] = [
  col('id', 'integer', 'int4', { notNull: true }),
  col('small', 'smallint', 'int2'),
  col('big', 'bigint', 'int8'),
  col('price', 'numeric(6,2)', 'numeric', { length: 6, scale: 2 }),
  col('ratio', 'double precision', 'float'),
  col('ok', 'boolean', 'bool'),
  col('day', 'date', 'date'),
  col('at', 'timestamp without time zone', 'timestamp'),
  col('code', 'character(3)', 'char', { length: 3 }),
  col('name', 'character varying(8)', 'varchar', { length: 8 }),
  col('note', 'text', 'text'),
];

const GOOD = '1,2,3,1.25,0.5,t,2024-02-29,2024-01-02 03:04:05,abc,name,note';
const INPUT = [
  'id,small,big,price,ratio,ok,day,at,code,name,note', // header
  GOOD,
  '2,-32768,9223372036854775807,-0.5,1e10,f,1999-12-31,2024-01-02 03:04:05.123456,ab ,"a,b","x""y"',
  '3,007,+4,1234.5,.5,true,2023-02-29,2024-13-02 03:04:05,abcd,ünï,"multi\nline\\back\ttab"',
  '4,,,,,,,,,,',
  '5,\\N,\\N,\\N,\\N,\\N,\\N,\\N,\\N,\\N,\\N',
  '6,1,2,99999.99,-1.5E-3,y,2024-1-2,2024-01-02,a,"",""',
  '7,40000,1,1.234,x,maybe,2024-02-30,2024-01-02 24:00:00,abc,toolongvalue,ok',
  ' 8 , 1 , 2 , 3.5 , 1 , t , 2024-01-01 , 2024-01-01 00:00:00 , a , b , c ',
  '9,1,2',
  '10,1,2,3,4,t,2024-01-01,2024-01-01 00:00:00,abc,n,o,extra',
  '',
  '"11",1,2,3.00,4,f,2024-01-01,2024-01-01 00:00:00.5,"a""b",  ,\r',
  'x,1,2,3,4,t,2024-01-01,2024-01-01 00:00:00,abc,n,o',
  '12,1,2,3,4,t,0099-01-01,2024-01-01 00:00:00,abc,\xff\xfe,o',
].join('\n');

// One awkward value at a time in an otherwise plain record, so each reaches its column's check.
const VARIANTS: string[][] = [
  ['0', '-0', '-1', '2147483647', '2147483648', '0012', '+5', ' 5', '1.0', ''],
  ['9999', '-9999', '32767', '-32768', '32768', '10000', '0', '-0', '1e3', '١'],
  ['999999999999999999', '9223372036854775807', '9223372036854775808', '-9223372036854775808', '00', 'x'],
  ['0', '0.5', '.5', '5.', '-0.00', '9999.99', '10000', '1.234', '01.5', '+1.5', '1.2.3', '-', '1e2'],
  ['1', '-1.5e-3', '1E+10', '.5', '5.', '.', 'e5', '1e', 'inf', 'NaN', '-Infinity', '0x10', ' 1'],
  ['t', 'f', 'T', 'true', 'FALSE', '1', '0', 'yes', 'off', 'maybe', 'tt'],
  [
    '2024-02-29',
    '2023-02-29',
    '2000-02-29',
    '1900-02-29',
    '2024-04-31',
    '0099-01-01',
    '2024-1-02',
    '20240102',
    '2024/01/02',
    '2024-01-02 00:00:00',
  ],
  [
    '2024-01-02 03:04:05',
    '2024-01-02 03:04:05.1',
    '2024-01-02 03:04:05.1234567',
    '2024-01-02 23:59:59.999999',
    '2024-01-02 24:00:00',
    '2024-01-02 03:60:00',
    '2024-01-02T03:04:05',
    '2024-01-02 03:04:05+02',
    '2024-01-02',
    '2024-01-02 3:04:05',
    '2024-01-02 03:04:05.',
    '2024-01-02 03:04:05:12',
  ],
  ['abc', 'ab', 'ab ', 'a  ', '   ', 'abcd', 'a\\c', '"a,b"', 'é', ' ab', 'a\tb'],
  ['name', '12345678', '123456789', 'trail ', '  ', '\t', '"x\ny"', '\\N', 'NULL', 'ü', '"a""b"'],
  ['note', '\\N', '"tab\there"', '" "', '"\r"', 'x\\y', '"""q"""', '\u00a0'],
];
const GOOD_FIELDS = GOOD.split(',');
const VARIANT_INPUT = VARIANTS.flatMap((values, k) =>
  values.map((v) => GOOD_FIELDS.map((g, i) => (i === k ? v : g)).join(',')),
).join('\n');

function statement(options: string): CopyStatement {
  return parseRedshiftCommand(
    `COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::123456789012:role/R' CSV ${options}`,
  ) as CopyStatement;
}

function load(st: CopyStatement, input: Buffer, chunk: number, fast: boolean) {
  const converter = new ValueConverter(st);
  const errors: LoadErrorRow[] = [];
  let out = '';
  const accept = (rec: Parameters<typeof rejectRecord>[0]) => {
    const r = rejectRecord(rec, 's3://b/k', COLUMNS, st, converter, false);
    if ('error' in r) {
      errors.push(r.error);
      return undefined;
    }
    return r.fields;
  };
  if (fast) {
    const enc = new CsvLoadEncoder(
      {
        delimiter: ',',
        quote: st.quote,
        ignoreHeader: st.ignoreHeader,
        ignoreBlankLines: st.ignoreBlankLines,
      },
      COLUMNS,
      st,
      accept,
    );
    for (let i = 0; i < input.length; i += chunk) {
      enc.push(input.subarray(i, i + chunk));
      out += enc.take().toString();
    }
    enc.end();
    out += enc.take().toString();
    return { out, errors, accepted: enc.accepted };
  }
  const reader = csvReader({
    delimiter: ',',
    quote: st.quote,
    ignoreHeader: st.ignoreHeader,
    ignoreBlankLines: st.ignoreBlankLines,
  });
  const decoder = new StringDecoder('utf8');
  let accepted = 0;
  const take = (recs: ReturnType<typeof reader.push>) => {
    for (const rec of recs) {
      const fields = accept(rec);
      if (fields === undefined) continue;
      out += `${fields.map(pgCopyField).join('\t')}\n`;
      accepted++;
    }
  };
  for (let i = 0; i < input.length; i += chunk)
    take(reader.push(decoder.write(input.subarray(i, i + chunk))));
  take(reader.push(decoder.end()));
  take(reader.end());
  return { out, errors, accepted };
}

describe('CsvLoadEncoder', () => {
  const options = [
    'IGNOREHEADER 1',
    'IGNOREHEADER 1 IGNOREBLANKLINES',
    "IGNOREHEADER 1 NULL AS 'name' EMPTYASNULL BLANKSASNULL TRIMBLANKS",
    'IGNOREHEADER 1 ROUNDEC ACCEPTINVCHARS',
    "IGNOREHEADER 1 NULL AS ''",
    'IGNOREHEADER 1 EMPTYASNULL',
    "IGNOREHEADER 2 QUOTE AS '%' FILLRECORD",
    "IGNOREHEADER 1 DATEFORMAT 'auto' TIMEFORMAT 'auto'",
  ];
  it.each(options)('%s: same output and load errors as the string reader, any chunking', (opts) => {
    const st = statement(opts);
    const input = Buffer.from(INPUT.replace('\xff\xfe', '\uFFFD'), 'utf8');
    // Raw invalid UTF-8 bytes too, not only U+FFFD.
    const bytes = Buffer.concat([
      input,
      Buffer.from('\n14,1,2,3,4,t,2024-01-01,2024-01-01 00:00:00,abc,'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from(',o\r\n15,1,2,3,4,f,2024-01-01,2024-01-01 00:00:00,abc,n,o\n'),
      Buffer.from(VARIANT_INPUT),
      Buffer.from('\n16,1,2,3,4,t,2024-01-01,2024-01-01 00:00:00,abc,n,"unterminated\n'),
    ]);
    const expected = load(st, bytes, 1 << 20, false);
    expect(expected.accepted).toBeGreaterThan(2);
    expect(expected.errors.length).toBeGreaterThan(3);
    for (const chunk of [1, 3, 64, 1 << 20]) expect(load(st, bytes, chunk, true)).toEqual(expected);
  });

  it('copies plain records byte for byte, escaping for PostgreSQL', () => {
    const st = statement('');
    const r = load(
      st,
      Buffer.from(`${GOOD}\n1,2,3,1,2,f,2024-01-01,2024-01-01 00:00:00.5,abc,"a\\b",x\ty`),
      5,
      true,
    );
    expect(r.errors).toEqual([]);
    expect(r.out).toBe(
      '1\t2\t3\t1.25\t0.5\tt\t2024-02-29\t2024-01-02 03:04:05\tabc\tname\tnote\n' +
        '1\t2\t3\t1\t2\tf\t2024-01-01\t2024-01-01 00:00:00.5\tabc\ta\\\\b\tx\\ty\n',
    );
  });
});
