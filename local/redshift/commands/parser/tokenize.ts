import { tokenize as lex, SqlTokenizeError } from '../../sql/tokenize.ts';
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
 * Splits an UNLOAD/COPY statement into tokens, on the local Redshift's one SQL tokenizer
 * (local/redshift/sql/tokenize.ts): literals and quoted names come back unescaped. Linear in the
 * input; every unterminated quote or comment, and any character these commands have no use for,
 * is a syntax error naming where it is.
 */
export function tokenize(sql: string): Token[] {
  let lexed: ReturnType<typeof lex>;
  try {
    lexed = lex(sql);
  } catch (error) {
    if (error instanceof SqlTokenizeError) throw syntaxError(sql, error.position, error.message);
    throw error;
  }
  const tokens: Token[] = [];
  for (const t of lexed) {
    switch (t.kind) {
      case 'space':
      case 'comment':
        continue;
      case 'word':
        tokens.push({ kind: 'word', value: t.text, offset: t.start });
        continue;
      case 'number':
        tokens.push({ kind: 'number', value: t.text, offset: t.start });
        continue;
      case 'string': {
        // A prefix (E'...', N'...') changes nothing: Redshift reads backslash escapes anyway.
        const open = t.text.indexOf("'");
        const read = readQuoted(t.text, open, "'", true);
        tokens.push({ kind: 'string', value: read?.value ?? '', offset: t.start });
        continue;
      }
      case 'quotedIdent': {
        const read = readQuoted(t.text, 0, '"', false);
        if (read === undefined || read.value === '')
          throw syntaxError(sql, t.start, 'zero-length delimited identifier');
        tokens.push({ kind: 'quotedIdent', value: read.value, offset: t.start });
        continue;
      }
      case 'semicolon':
        tokens.push({ kind: 'punct', value: ';', offset: t.start });
        continue;
      case 'punct':
      case 'operator':
        if (t.text.length === 1 && '(),.='.includes(t.text)) {
          tokens.push({ kind: 'punct', value: t.text, offset: t.start });
          continue;
        }
        throw syntaxError(sql, t.start);
      default:
        throw syntaxError(sql, t.start);
    }
  }
  tokens.push({ kind: 'eof', value: '', offset: sql.length });
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
