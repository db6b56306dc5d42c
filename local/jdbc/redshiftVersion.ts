import { commandComplete, cstring, type Message, message, readCString } from './wireMessages.ts';

/**
 * What Redshift reports: drivers parse it (redshift_connector fails on PostgreSQL's "15.x (Debian
 * ...)"); `select version()` answers Redshift's string for the same reason.
 */
export const REDSHIFT_SERVER_VERSION = '8.0.2';
export const REDSHIFT_VERSION_STRING =
  'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467';
export const VERSION_QUERY = /^\s*select\s+(pg_catalog\.)?version\s*\(\s*\)\s*;?\s*$/i;

/** The engine's ParameterStatus, with Redshift's server_version instead of PostgreSQL's. */
export function redshiftParameterStatus(m: Message): Buffer {
  const name = readCString(m.body, 0);
  if (name.value !== 'server_version') return m.raw;
  return message('S', Buffer.concat([cstring('server_version'), cstring(REDSHIFT_SERVER_VERSION)]));
}

/** RowDescription of `select version()`: one text column "version". */
export function versionRowDescription(): Buffer {
  const field = Buffer.alloc(18);
  field.writeInt32BE(0, 0); // table oid
  field.writeInt16BE(0, 4); // column number
  field.writeInt32BE(25, 6); // text
  field.writeInt16BE(-1, 10); // variable size
  field.writeInt32BE(-1, 12); // no type modifier
  field.writeInt16BE(0, 16); // text format
  const count = Buffer.alloc(2);
  count.writeInt16BE(1, 0);
  return message('T', Buffer.concat([count, cstring('version'), field]));
}

/** DataRow and CommandComplete of `select version()`. */
export function versionRows(): Buffer {
  const count = Buffer.alloc(2);
  count.writeInt16BE(1, 0);
  const value = Buffer.from(REDSHIFT_VERSION_STRING, 'utf8');
  const len = Buffer.alloc(4);
  len.writeInt32BE(value.length, 0);
  return Buffer.concat([message('D', Buffer.concat([count, len, value])), commandComplete('SELECT 1')]);
}
