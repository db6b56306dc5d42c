import { RedshiftSqlError } from '../types.ts';

export type TokenKind = 'word' | 'quotedIdent' | 'string' | 'number' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** word: as written; quotedIdent/string: the unescaped value; number/punct: the text. */
  value: string;
  /** Character offset in the statement (for messages: Redshift reports 1-based positions). */
  offset: number;
}

// Escapes PostgreSQL 8.0 (Redshift's ancestor, standard_conforming_strings off) reads in a
// literal. Any other `\x` keeps its backslash, so that `NULL AS '\N'` means backslash-N, as users
// write it for Redshift.
const SIMPLE_ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  "'": "'",
  '\\': '\\',
};

/** `syntax error at or near "x"`, PostgreSQL/Redshift wording, with the 1-based position. */
export function syntaxError(sql: string, offset: number, detail?: string): RedshiftSqlError {
  const near = offset >= sql.length ? 'end of input' : `"${nearText(sql, offset)}"`;
  const where = offset >= sql.length ? `syntax error at ${near}` : `syntax error at or near ${near}`;
  return new RedshiftSqlError(
    `${where} (position ${Math.min(offset, sql.length) + 1})${detail ? `: ${detail}` : ''}`,
    '42601',
  );
}

function nearText(sql: string, offset: number): string {
  const m = /^(?:[A-Za-z0-9_$]+|'[^']{0,40}'?|.)/s.exec(sql.slice(offset, offset + 48));
  return (m ? m[0] : sql.charAt(offset)).slice(0, 40);
}

/**
 * Splits an UNLOAD/COPY statement into tokens. Linear in the input; every unterminated quote or
 * comment is a syntax error naming where it started.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i] as string;
    const code = sql.charCodeAt(i);
    if (code === 32 || (code >= 9 && code <= 13)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i + 2);
      i = nl === -1 ? n : nl + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const start = i;
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) throw syntaxError(sql, start, 'unterminated /* comment');
      continue;
    }
    if (c === "'" || c === '"') {
      const start = i;
      // String literals read backslash escapes (Redshift); quoted identifiers do not.
      const read = readQuoted(sql, i, c, c === "'");
      if (read === undefined) {
        throw syntaxError(
          sql,
          start,
          c === "'" ? 'unterminated quoted string' : 'unterminated quoted identifier',
        );
      }
      i = read.end;
      if (c === '"' && read.value === '') throw syntaxError(sql, start, 'zero-length delimited identifier');
      tokens.push({ kind: c === "'" ? 'string' : 'quotedIdent', value: read.value, offset: start });
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      i++;
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i] as string)) i++;
      tokens.push({ kind: 'word', value: sql.slice(start, i), offset: start });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const start = i;
      while (i < n && /[0-9.]/.test(sql[i] as string)) i++;
      tokens.push({ kind: 'number', value: sql.slice(start, i), offset: start });
      continue;
    }
    if ('(),.;='.includes(c)) {
      tokens.push({ kind: 'punct', value: c, offset: i });
      i++;
      continue;
    }
    throw syntaxError(sql, i);
  }
  tokens.push({ kind: 'eof', value: '', offset: n });
  return tokens;
}

/**
 * Reads a quoted token starting at `open` (the quote itself): a doubled quote is one quote, and
 * with `backslashEscapes` the escapes PostgreSQL 8.0 reads in literals apply. Returns the value
 * and the index after the closing quote, or undefined when the quote is never closed.
 */
function readQuoted(
  sql: string,
  open: number,
  quote: string,
  backslashEscapes: boolean,
): { value: string; end: number } | undefined {
  const n = sql.length;
  let i = open + 1;
  let out = '';
  while (i < n) {
    const ch = sql[i] as string;
    if (ch === quote) {
      if (sql[i + 1] === quote) {
        out += quote;
        i += 2;
        continue;
      }
      return { value: out, end: i + 1 };
    }
    if (backslashEscapes && ch === '\\' && i + 1 < n) {
      const next = sql[i + 1] as string;
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        out += simple;
        i += 2;
        continue;
      }
      const oct = /^[0-7]{1,3}/.exec(sql.slice(i + 1, i + 4));
      if (oct) {
        out += String.fromCharCode(Number.parseInt(oct[0], 8) & 0xff);
        i += 1 + oct[0].length;
        continue;
      }
      out += `\\${next}`;
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
  return undefined;
}
