import { RedshiftSqlError } from '../types.ts';
import type { CopyFormat, CopyStatement } from './ast.ts';
import type { Cursor } from './cursor.ts';
import type { AuthParts } from './parseAuthorization.ts';
import { finishAuthorization, readAuthorizationClause } from './parseAuthorization.ts';
import { parseFixedWidthSpec } from './parseFixedWidthSpec.ts';
import { conflict } from './parseUnload.ts';
import { syntaxError } from './tokenize.ts';

// Options Redshift accepts and that change nothing observable in a single-node emulator.
const ACCEPTED_NO_OP = new Set(['EXPLICIT_IDS', 'ROUNDEC', 'ACCEPTANYDATE', 'NOLOAD', 'IGNOREALLERRORS']);

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

  const seenOptions = new Set<string>();
  const seen = (name: string) => {
    if (seenOptions.has(name))
      throw new RedshiftSqlError(`conflicting or redundant options: ${name}`, '42601');
    seenOptions.add(name);
  };
  const auth: AuthParts = {};
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
  };
  let formatGiven = false;
  const setFormat = (f: CopyFormat) => {
    if (formatGiven) {
      if (st.format === f)
        throw new RedshiftSqlError(`conflicting or redundant options: ${f.toUpperCase()}`, '42601');
      throw conflict(st.format.toUpperCase(), f.toUpperCase());
    }
    formatGiven = true;
    st.format = f;
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
    cur.acceptWord('AS');
    const q = cur.expectString('QUOTE');
    if (q.length !== 1) throw new RedshiftSqlError(`QUOTE must be a single character, got '${q}'.`, '22023');
    st.quote = q;
  };

  while (!cur.atEnd() && !(cur.peek().kind === 'punct' && cur.peek().value === ';')) {
    if (readAuthorizationClause(cur, auth, seen)) continue;
    const w = cur.peekWord();
    if (w === '') throw cur.error('expected a COPY option');
    const optionOffset = cur.next().offset;
    switch (w) {
      case 'FORMAT': {
        cur.acceptWord('AS');
        const f = cur.expectWord('CSV', 'JSON', 'PARQUET', 'ORC', 'AVRO', 'FIXEDWIDTH', 'SHAPEFILE');
        if (f === 'SHAPEFILE')
          throw new RedshiftSqlError('SHAPEFILE is not supported by the local emulator.', '0A000');
        setFormat(f.toLowerCase() as CopyFormat);
        break;
      }
      case 'CSV':
      case 'JSON':
      case 'PARQUET':
      case 'ORC':
      case 'AVRO':
      case 'FIXEDWIDTH':
        setFormat(w.toLowerCase() as CopyFormat);
        break;
      case 'QUOTE':
        if (st.format !== 'csv') throw new RedshiftSqlError('QUOTE is only valid with CSV.', '42601');
        readQuote();
        break;
      case 'MANIFEST':
        seen(w);
        st.manifest = true;
        break;
      case 'ENCRYPTED':
        seen(w);
        st.encrypted = true;
        break;
      case 'REGION':
        seen(w);
        cur.acceptWord('AS');
        st.region = cur.expectString('REGION');
        break;
      case 'GZIP':
      case 'BZIP2':
      case 'LZOP':
      case 'ZSTD':
        if (st.compression !== undefined) throw conflict(st.compression.toUpperCase(), w);
        st.compression = w.toLowerCase() as CopyStatement['compression'];
        break;
      case 'DELIMITER': {
        seen(w);
        cur.acceptWord('AS');
        const d = cur.expectString('DELIMITER');
        if (d.length !== 1 || d.charCodeAt(0) > 127)
          throw new RedshiftSqlError(`DELIMITER must be a single ASCII character, got '${d}'.`, '22023');
        st.delimiter = d;
        break;
      }
      case 'NULL':
        seen(w);
        cur.acceptWord('AS');
        st.nullAs = cur.expectString('NULL AS');
        break;
      case 'EMPTYASNULL':
        seen(w);
        st.emptyAsNull = true;
        break;
      case 'BLANKSASNULL':
        seen(w);
        st.blanksAsNull = true;
        break;
      case 'IGNOREHEADER':
        seen(w);
        cur.acceptWord('AS');
        st.ignoreHeader = cur.expectInteger('IGNOREHEADER');
        break;
      case 'DATEFORMAT':
        seen(w);
        cur.acceptWord('AS');
        st.dateFormat = cur.expectString('DATEFORMAT');
        break;
      case 'TIMEFORMAT':
        seen(w);
        cur.acceptWord('AS');
        st.timeFormat = cur.expectString('TIMEFORMAT');
        break;
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
        break;
      }
      case 'TRUNCATECOLUMNS':
        seen(w);
        st.truncateColumns = true;
        break;
      case 'TRIMBLANKS':
        seen(w);
        st.trimBlanks = true;
        break;
      case 'FILLRECORD':
        seen(w);
        st.fillRecord = true;
        break;
      case 'MAXERROR': {
        seen(w);
        cur.acceptWord('AS');
        const n = cur.expectInteger('MAXERROR');
        st.maxError = Math.min(n, 100000);
        break;
      }
      case 'ESCAPE':
        seen(w);
        st.escape = true;
        break;
      case 'REMOVEQUOTES':
        seen(w);
        st.removeQuotes = true;
        break;
      case 'IGNOREBLANKLINES':
        seen(w);
        st.ignoreBlankLines = true;
        break;
      case 'COMPUPDATE':
        seen(w);
        cur.acceptWord('ON', 'OFF', 'TRUE', 'FALSE', 'PRESET');
        break;
      case 'STATUPDATE':
        seen(w);
        cur.acceptWord('ON', 'OFF', 'TRUE', 'FALSE');
        break;
      case 'COMPROWS':
      case 'READRATIO':
        seen(w);
        cur.acceptWord('AS');
        cur.expectInteger(w);
        break;
      case 'ENCODING':
        seen(w);
        cur.acceptWord('AS');
        st.encoding = cur.expectWord('UTF8', 'UTF16', 'UTF16LE', 'UTF16BE');
        break;
      default:
        if (ACCEPTED_NO_OP.has(w)) {
          seen(w);
          if (w === 'EXPLICIT_IDS') st.explicitIds = true;
          if (w === 'ROUNDEC') st.roundEc = true;
          if (w === 'ACCEPTANYDATE') st.acceptAnyDate = true;
          if (w === 'NOLOAD') st.noLoad = true;
          if (w === 'IGNOREALLERRORS') st.ignoreAllErrors = true;
          break;
        }
        throw syntaxError(cur.sql, optionOffset, `unknown COPY option ${w}`);
    }
  }
  cur.expectEnd();
  st.authorization = finishAuthorization(auth);
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
