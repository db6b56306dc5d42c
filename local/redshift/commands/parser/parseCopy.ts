import { RedshiftSqlError } from '../types.ts';
import type { CopyFormat, CopyStatement } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseFixedWidthSpec } from './parseFixedWidthSpec.ts';
import { conflict, formatSetter, optionReader, readOptionList } from './readOptionList.ts';

/** Parses `COPY table [(cols)] FROM 's3://...' authorization [option ...]` (COPY already consumed). */
export function parseCopy(cur: Cursor): CopyStatement {
  const first = cur.expectIdentifier('a table name');
  let table: CopyStatement['table'] = { name: first };
  if (cur.acceptPunct('.')) table = { schema: first, name: cur.expectIdentifier('a table name') };
  let columns: string[] | undefined;
  if (cur.acceptPunct('(')) {
    columns = [cur.expectIdentifier('a column name')];
    while (cur.acceptPunct(',')) columns.push(cur.expectIdentifier('a column name'));
    cur.expectPunct(')');
  }
  cur.expectWord('FROM');
  const fromTok = cur.peek();
  if (fromTok.kind !== 'string') {
    if (fromTok.kind === 'word' && /^(STDIN|STDOUT)$/i.test(fromTok.value))
      throw new RedshiftSqlError(
        "COPY FROM STDIN is not supported by Amazon Redshift: load from Amazon S3 (FROM 's3://bucket/prefix').",
        '0A000',
      );
    throw cur.error("expected the data source, e.g. FROM 's3://bucket/prefix'");
  }
  const from = cur.expectString('FROM');

  const st: CopyStatement = {
    kind: 'copy',
    table,
    columns,
    from,
    authorization: { kind: 'iamRole', roles: 'default' },
    format: 'text',
    quote: '"',
    manifest: false,
    encrypted: false,
    emptyAsNull: false,
    blanksAsNull: false,
    ignoreHeader: 0,
    truncateColumns: false,
    trimBlanks: false,
    fillRecord: false,
    maxError: 0,
    escape: false,
    removeQuotes: false,
    ignoreBlankLines: false,
    acceptAnyDate: false,
    explicitIds: false,
    roundEc: false,
    ignoreAllErrors: false,
    noLoad: false,
    serializeToJson: false,
  };
  const reader = optionReader(cur);
  const { seen, string } = reader;
  const formatOnce = formatSetter(st);
  const setFormat = (f: CopyFormat) => {
    formatOnce(f);
    if (f === 'json' || f === 'avro') {
      const t = cur.peek();
      if (t.kind === 'string') {
        cur.next();
        st.json = t.value;
      } else st.json = 'auto';
    }
    if (f === 'fixedwidth') st.fixedWidth = parseFixedWidthSpec(cur.expectString('FIXEDWIDTH'));
    if (f === 'csv' && cur.acceptWord('QUOTE')) readQuote();
  };
  const readQuote = () => {
    seen('QUOTE');
    const q = string('QUOTE');
    if (q.length !== 1) throw new RedshiftSqlError(`QUOTE must be a single character, got '${q}'.`, '22023');
    st.quote = q;
  };

  st.authorization = readOptionList(reader, {
    statement: 'COPY',
    st,
    compressions: ['gzip', 'bzip2', 'lzop', 'zstd'],
    flags: {
      MANIFEST: 'manifest',
      ENCRYPTED: 'encrypted',
      EMPTYASNULL: 'emptyAsNull',
      BLANKSASNULL: 'blanksAsNull',
      TRUNCATECOLUMNS: 'truncateColumns',
      TRIMBLANKS: 'trimBlanks',
      FILLRECORD: 'fillRecord',
      REMOVEQUOTES: 'removeQuotes',
      IGNOREBLANKLINES: 'ignoreBlankLines',
      // Accepted, and change nothing observable in a single-node emulator.
      EXPLICIT_IDS: 'explicitIds',
      ROUNDEC: 'roundEc',
      ACCEPTANYDATE: 'acceptAnyDate',
      NOLOAD: 'noLoad',
      IGNOREALLERRORS: 'ignoreAllErrors',
      // Columnar only: lets nested Parquet/ORC columns load into SUPER (ingest-super.html).
      SERIALIZETOJSON: 'serializeToJson',
    },
    readOption: (w) => {
      switch (w) {
        case 'FORMAT': {
          cur.acceptWord('AS');
          const f = cur.expectWord('CSV', 'JSON', 'PARQUET', 'ORC', 'AVRO', 'FIXEDWIDTH', 'SHAPEFILE');
          if (f === 'SHAPEFILE')
            throw new RedshiftSqlError('SHAPEFILE is not supported by the local emulator.', '0A000');
          setFormat(f.toLowerCase() as CopyFormat);
          return true;
        }
        case 'CSV':
        case 'JSON':
        case 'PARQUET':
        case 'ORC':
        case 'AVRO':
        case 'FIXEDWIDTH':
          setFormat(w.toLowerCase() as CopyFormat);
          return true;
        case 'QUOTE':
          if (st.format !== 'csv') throw new RedshiftSqlError('QUOTE is only valid with CSV.', '42601');
          readQuote();
          return true;
        case 'IGNOREHEADER':
          seen(w);
          cur.acceptWord('AS');
          st.ignoreHeader = cur.expectInteger('IGNOREHEADER');
          return true;
        case 'DATEFORMAT':
          seen(w);
          st.dateFormat = string('DATEFORMAT');
          return true;
        case 'TIMEFORMAT':
          seen(w);
          st.timeFormat = string('TIMEFORMAT');
          return true;
        case 'ACCEPTINVCHARS': {
          seen(w);
          const hadAs = cur.acceptWord('AS') !== undefined;
          const t = cur.peek();
          if (t.kind === 'string') {
            cur.next();
            if (t.value.length !== 1)
              throw new RedshiftSqlError('ACCEPTINVCHARS replacement must be a single character.', '22023');
            st.acceptInvChars = t.value;
          } else if (hadAs) throw cur.error('expected a quoted replacement character for ACCEPTINVCHARS');
          else st.acceptInvChars = '?';
          return true;
        }
        case 'MAXERROR':
          seen(w);
          cur.acceptWord('AS');
          st.maxError = Math.min(cur.expectInteger('MAXERROR'), 100000);
          return true;
        case 'COMPUPDATE':
          seen(w);
          cur.acceptWord('ON', 'OFF', 'TRUE', 'FALSE', 'PRESET');
          return true;
        case 'STATUPDATE':
          seen(w);
          cur.acceptWord('ON', 'OFF', 'TRUE', 'FALSE');
          return true;
        case 'COMPROWS':
        case 'READRATIO':
          seen(w);
          cur.acceptWord('AS');
          cur.expectInteger(w);
          return true;
        case 'ENCODING':
          seen(w);
          cur.acceptWord('AS');
          st.encoding = cur.expectWord('UTF8', 'UTF16', 'UTF16LE', 'UTF16BE');
          return true;
        default:
          return false;
      }
    },
  });
  validateCopy(st);
  return st;
}

const COLUMNAR_ALLOWED = new Set([
  'MANIFEST',
  'ACCEPTINVCHARS',
  'FILLRECORD',
  'STATUPDATE',
  'EXPLICIT_IDS',
  'REGION',
  'ENCRYPTED',
  'COMPUPDATE',
]);

/** The documented incompatible combinations of COPY options. */
function validateCopy(st: CopyStatement): void {
  if (!/^s3:\/\/[^/\s]+/.test(st.from))
    throw new RedshiftSqlError(
      `Invalid FROM location '${st.from}': the local emulator loads from Amazon S3 only ('s3://bucket/prefix').`,
      '22023',
    );
  const fmt = st.format.toUpperCase();
  if (st.format === 'csv') {
    if (st.fixedWidth) throw conflict('CSV', 'FIXEDWIDTH');
    if (st.removeQuotes) throw conflict('CSV', 'REMOVEQUOTES');
    if (st.escape) throw conflict('CSV', 'ESCAPE');
  }
  if (st.format === 'fixedwidth') {
    if (st.delimiter !== undefined) throw conflict('DELIMITER', 'FIXEDWIDTH');
    if (st.escape) throw conflict('ESCAPE', 'FIXEDWIDTH');
    if (st.removeQuotes) throw conflict('REMOVEQUOTES', 'FIXEDWIDTH');
  }
  if (st.format === 'json' || st.format === 'avro') {
    const banned: [boolean, string][] = [
      [st.delimiter !== undefined, 'DELIMITER'],
      [st.escape, 'ESCAPE'],
      [st.removeQuotes, 'REMOVEQUOTES'],
      [st.fillRecord, 'FILLRECORD'],
      [st.ignoreHeader > 0, 'IGNOREHEADER'],
    ];
    for (const [present, name] of banned) if (present) throw conflict(fmt, name);
  }
  if (st.format === 'parquet' || st.format === 'orc') {
    const extras: string[] = [];
    if (st.compression) extras.push(st.compression.toUpperCase());
    if (st.delimiter !== undefined) extras.push('DELIMITER');
    if (st.nullAs !== undefined) extras.push('NULL AS');
    if (st.emptyAsNull) extras.push('EMPTYASNULL');
    if (st.blanksAsNull) extras.push('BLANKSASNULL');
    if (st.ignoreHeader > 0) extras.push('IGNOREHEADER');
    if (st.dateFormat !== undefined) extras.push('DATEFORMAT');
    if (st.timeFormat !== undefined) extras.push('TIMEFORMAT');
    if (st.truncateColumns) extras.push('TRUNCATECOLUMNS');
    if (st.trimBlanks) extras.push('TRIMBLANKS');
    if (st.maxError > 0) extras.push('MAXERROR');
    if (st.escape) extras.push('ESCAPE');
    if (st.removeQuotes) extras.push('REMOVEQUOTES');
    if (st.ignoreAllErrors) extras.push('IGNOREALLERRORS');
    if (st.acceptAnyDate) extras.push('ACCEPTANYDATE');
    const bad = extras.find((e) => !COLUMNAR_ALLOWED.has(e));
    if (bad !== undefined)
      throw new RedshiftSqlError(`${bad} argument is not supported for ${fmt} based COPY`, '0A000');
  }
  if (st.serializeToJson && st.format !== 'parquet' && st.format !== 'orc')
    throw new RedshiftSqlError(
      `SERIALIZETOJSON argument is only supported for PARQUET or ORC based COPY, not ${fmt}.`,
      '0A000',
    );
  if (st.ignoreAllErrors && st.maxError > 0) throw conflict('IGNOREALLERRORS', 'MAXERROR');
  if (st.ignoreAllErrors) st.maxError = 100000;
  if (st.timeFormat !== undefined && /^(epochsecs|epochmillisecs)$/i.test(st.timeFormat)) {
    if (!/^(epochsecs|epochmillisecs)$/.test(st.timeFormat))
      throw new RedshiftSqlError(
        `TIMEFORMAT keywords are case-sensitive: use '${st.timeFormat.toLowerCase()}'.`,
        '22023',
      );
  }
}
