/**
 * Index of the first character after leading whitespace and comments (`-- ...` to end of line,
 * `/* ... *\/`, nested as PostgreSQL nests them). Returns `sql.length` when nothing else follows.
 */
export function skipLeadingTrivia(sql: string, from = 0): number {
  let i = from;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    // space, \t, \n, \v, \f, \r
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
    } else if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      const nl = sql.indexOf('\n', i + 2);
      i = nl === -1 ? n : nl + 1;
    } else if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else {
          i++;
        }
      }
    } else {
      break;
    }
  }
  return Math.min(i, n);
}

/** The first keyword of a statement, upper-cased, or '' when it does not start with a word. */
export function firstKeyword(sql: string): string {
  const start = skipLeadingTrivia(sql);
  const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(start, start + 64));
  return m ? m[0].toUpperCase() : '';
}

/**
 * True for the statements the emulator executes itself instead of PostgreSQL: those whose first
 * keyword (after whitespace and comments) is UNLOAD or COPY. PostgreSQL's own `COPY ... FROM
 * STDIN/TO STDOUT` needs a client-side stream the Data API cannot provide, so every COPY is
 * Redshift's.
 */
export function isRedshiftCommand(sql: string): boolean {
  const kw = firstKeyword(sql);
  return kw === 'UNLOAD' || kw === 'COPY';
}
