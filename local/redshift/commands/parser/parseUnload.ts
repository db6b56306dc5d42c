import { RedshiftSqlError } from '../types.ts';
import type { UnloadStatement } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { hasOuterLimit } from './hasOuterLimit.ts';
import { parseFixedWidthSpec } from './parseFixedWidthSpec.ts';
import { conflict, formatSetter, optionReader, readOptionList } from './readOptionList.ts';

const MB = 1024 * 1024;

/** Reads `n [MB|GB]` (MB by default) and returns bytes. */
function readSize(cur: Cursor, what: string): number {
  cur.acceptWord('AS');
  const n = cur.expectNumber(what);
  const unit = cur.acceptWord('MB', 'GB') ?? 'MB';
  return Math.round(n * (unit === 'GB' ? 1024 * MB : MB));
}

/** Parses `UNLOAD ('query') TO 's3://...' authorization [option ...]` (UNLOAD already consumed). */
export function parseUnload(cur: Cursor): UnloadStatement {
  cur.expectPunct('(');
  const query = cur.expectString('the UNLOAD query');
  cur.expectPunct(')');
  cur.expectWord('TO');
  const to = cur.expectString('the TO location');

  const st: UnloadStatement = {
    kind: 'unload',
    query,
    to,
    authorization: { kind: 'iamRole', roles: 'default' },
    format: 'text',
    header: false,
    addQuotes: false,
    escape: false,
    allowOverwrite: false,
    cleanPath: false,
    parallel: true,
  };
  const setFormat = formatSetter(st);
  st.authorization = readOptionList(optionReader(cur), {
    statement: 'UNLOAD',
    st,
    compressions: ['gzip', 'bzip2', 'zstd'],
    flags: {
      HEADER: 'header',
      ADDQUOTES: 'addQuotes',
      ALLOWOVERWRITE: 'allowOverwrite',
      CLEANPATH: 'cleanPath',
    },
    readOption: (w, { cur, seen, string }) => {
      switch (w) {
        case 'FORMAT':
          cur.acceptWord('AS');
          setFormat(cur.expectWord('CSV', 'PARQUET', 'JSON').toLowerCase() as UnloadStatement['format']);
          return true;
        case 'CSV':
        case 'PARQUET':
        case 'JSON':
          setFormat(w.toLowerCase() as UnloadStatement['format']);
          return true;
        case 'PARTITION': {
          seen('PARTITION BY');
          cur.expectWord('BY');
          cur.expectPunct('(');
          const columns = [cur.expectIdentifier('a partition column name')];
          while (cur.acceptPunct(',')) columns.push(cur.expectIdentifier('a partition column name'));
          cur.expectPunct(')');
          st.partitionBy = { columns, include: cur.acceptWord('INCLUDE') !== undefined };
          return true;
        }
        case 'MANIFEST':
          seen('MANIFEST');
          st.manifest = { verbose: cur.acceptWord('VERBOSE') !== undefined };
          return true;
        case 'VERBOSE':
          throw new RedshiftSqlError(
            'VERBOSE is only valid directly after MANIFEST (MANIFEST VERBOSE).',
            '42601',
          );
        case 'FIXEDWIDTH':
          seen(w);
          st.fixedWidth = parseFixedWidthSpec(string('FIXEDWIDTH'));
          return true;
        case 'ENCRYPTED':
          seen(w);
          st.encrypted = { auto: cur.acceptWord('AUTO') !== undefined };
          return true;
        case 'KMS_KEY_ID':
          seen(w);
          st.kmsKeyId = string('KMS_KEY_ID');
          return true;
        case 'MASTER_SYMMETRIC_KEY':
          seen(w);
          st.masterSymmetricKey = string('MASTER_SYMMETRIC_KEY');
          return true;
        case 'PARALLEL': {
          seen(w);
          const v = cur.acceptWord('ON', 'TRUE', 'OFF', 'FALSE');
          st.parallel = v === undefined || v === 'ON' || v === 'TRUE';
          return true;
        }
        case 'MAXFILESIZE': {
          seen(w);
          const size = readSize(cur, 'MAXFILESIZE');
          if (size < 5 * MB || size > 6.2 * 1024 * MB)
            throw new RedshiftSqlError('MAXFILESIZE must be between 5 MB and 6.2 GB.', '22023');
          st.maxFileSize = size;
          return true;
        }
        case 'ROWGROUPSIZE': {
          seen(w);
          const size = readSize(cur, 'ROWGROUPSIZE');
          if (size < 32 * MB || size > 128 * MB)
            throw new RedshiftSqlError('ROWGROUPSIZE must be between 32 MB and 128 MB.', '22023');
          st.rowGroupSize = size;
          return true;
        }
        case 'EXTENSION':
          seen(w);
          st.extension = string('EXTENSION');
          return true;
        default:
          return false;
      }
    },
  });
  validateUnload(st);
  return st;
}

/** The documented incompatible combinations of UNLOAD options. */
function validateUnload(st: UnloadStatement): void {
  if (st.query.trim() === '') throw new RedshiftSqlError('The UNLOAD query is empty.', '42601');
  if (hasOuterLimit(st.query))
    throw new RedshiftSqlError(
      'Limit clause is not supported in the outer select of UNLOAD: use a nested select, e.g. select * from (select ... limit 10).',
      '0A000',
    );
  if (!/^s3:\/\/[^/\s]+/.test(st.to))
    throw new RedshiftSqlError(`Invalid TO location '${st.to}': expected 's3://bucket/prefix'.`, '22023');
  const fmt = st.format.toUpperCase();
  if (st.format === 'csv') {
    if (st.fixedWidth) throw conflict('CSV', 'FIXEDWIDTH');
    if (st.addQuotes) throw conflict('CSV', 'ADDQUOTES');
  }
  if (st.format === 'parquet' || st.format === 'json') {
    const banned: [boolean, string][] = [
      [st.delimiter !== undefined, 'DELIMITER'],
      [st.fixedWidth !== undefined, 'FIXEDWIDTH'],
      [st.addQuotes, 'ADDQUOTES'],
      [st.escape, 'ESCAPE'],
      [st.nullAs !== undefined, 'NULL AS'],
      [st.header, 'HEADER'],
    ];
    if (st.format === 'parquet')
      banned.push([st.compression !== undefined, (st.compression ?? '').toUpperCase()]);
    for (const [present, name] of banned) if (present) throw conflict(fmt, name);
    if (st.format === 'parquet' && st.encrypted && st.kmsKeyId === undefined && !st.encrypted.auto)
      throw new RedshiftSqlError(
        'PARQUET with ENCRYPTED is only supported with server-side encryption (KMS_KEY_ID).',
        '0A000',
      );
  }
  if (st.fixedWidth) {
    if (st.header) throw conflict('HEADER', 'FIXEDWIDTH');
    if (st.delimiter !== undefined) throw conflict('DELIMITER', 'FIXEDWIDTH');
  }
  if (st.cleanPath && st.allowOverwrite) throw conflict('CLEANPATH', 'ALLOWOVERWRITE');
  if (
    (st.kmsKeyId !== undefined || st.masterSymmetricKey !== undefined) &&
    st.authorization.kind === 'credentials'
  )
    throw conflict(st.kmsKeyId !== undefined ? 'KMS_KEY_ID' : 'MASTER_SYMMETRIC_KEY', 'CREDENTIALS');
  if (st.kmsKeyId !== undefined && st.masterSymmetricKey !== undefined)
    throw conflict('KMS_KEY_ID', 'MASTER_SYMMETRIC_KEY');
  if (st.encrypted?.auto && (st.kmsKeyId !== undefined || st.masterSymmetricKey !== undefined))
    throw conflict('ENCRYPTED AUTO', st.kmsKeyId !== undefined ? 'KMS_KEY_ID' : 'MASTER_SYMMETRIC_KEY');
  if ((st.kmsKeyId !== undefined || st.masterSymmetricKey !== undefined) && !st.encrypted)
    throw new RedshiftSqlError(
      `${st.kmsKeyId !== undefined ? 'KMS_KEY_ID' : 'MASTER_SYMMETRIC_KEY'} requires the ENCRYPTED option.`,
      '42601',
    );
  if (st.rowGroupSize !== undefined && st.format !== 'parquet')
    throw conflict('ROWGROUPSIZE', fmt === 'TEXT' ? 'text output' : fmt);
  if (st.partitionBy) {
    const dup = st.partitionBy.columns.find((c, i, all) => all.indexOf(c) !== i);
    if (dup !== undefined)
      throw new RedshiftSqlError(`Partition column "${dup}" is listed more than once.`, '42701');
  }
}
