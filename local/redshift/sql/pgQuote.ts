/**
 * Quoting for the SQL the local Redshift hands to PostgreSQL (its engine). Not src/sql's
 * quoteIdent/sqlString: those write Redshift SQL and refuse names Redshift refuses, while the
 * emulator must quote whatever name or text a user's statement already holds.
 */

/** A PostgreSQL identifier: `"..."` with `"` doubled. */
export const pgIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * A PostgreSQL string literal read the same whatever `standard_conforming_strings` is (the
 * emulator's sessions run with it off, as Redshift reads backslashes as escapes): plain `'...'`
 * when the text has no backslash, `E'...'` with backslashes doubled when it has.
 */
export function pgLiteral(text: string): string {
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}
