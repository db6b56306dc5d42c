/** PostgreSQL's oid of jsonb, the type SUPER values have in the local Redshift. */
export const JSONB_OID = 3802;

/**
 * A SUPER value's text as Redshift prints it (JSON_PARSE.html: `[10001,10002,"abc"]`): jsonb's
 * output puts a space after every `,` and `:` between values, which is removed; spaces inside
 * strings stay. jsonb's key order (shorter keys first) is kept: see docs/redshift-sql.md.
 */
export function superText(jsonb: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < jsonb.length; i++) {
    const ch = jsonb[i] as string;
    out += ch;
    if (inString) {
      if (ch === '\\') {
        i++;
        out += jsonb[i] ?? '';
      } else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if ((ch === ',' || ch === ':') && jsonb[i + 1] === ' ') i++;
  }
  return out;
}
