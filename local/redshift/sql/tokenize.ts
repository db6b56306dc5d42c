/**
 * A small SQL tokenizer for the local Redshift: enough to tell code from string literals, quoted
 * identifiers and comments, so that parameter binding, statement splitting and the Redshift DDL /
 * function rewrites never touch text inside a literal. Concatenating every token's `text` gives
 * back the input exactly.
 *
 * Redshift (and our sessions, which run with `standard_conforming_strings = off`) reads backslash
 * escapes in every '...' literal, so `'it\'s'` is one literal here.
 */
export type TokenKind =
  | 'space'
  | 'comment'
  | 'string'
  | 'dollarString'
  | 'quotedIdent'
  | 'word'
  | 'number'
  | 'param'
  | 'positional'
  | 'punct'
  | 'operator'
  | 'semicolon';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset of the token in the input. */
  start: number;
}

const wordStart = /[A-Za-z_\u0080-\uffff]/;
const wordChar = /[A-Za-z0-9_$\u0080-\uffff]/;
const digit = /[0-9]/;
const paramChar = /[0-9A-Za-z_]/;
const operatorChars = '+-*/<>=~!@#%^&|`?';

/** Thrown for input the tokenizer cannot close: an unterminated literal, identifier or comment. */
export class SqlTokenizeError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'SqlTokenizeError';
  }
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, end: number) => {
    tokens.push({ kind, text: sql.slice(i, end), start: i });
    i = end;
  };

  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];

    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      let j = i + 1;
      while (j < n && /\s/.test(sql[j] as string)) j++;
      push('space', j);
      continue;
    }
    if (c === '-' && next === '-') {
      let j = sql.indexOf('\n', i);
      j = j === -1 ? n : j;
      push('comment', j);
      continue;
    }
    if (c === '/' && next === '*') {
      // PostgreSQL block comments nest.
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) throw new SqlTokenizeError('unterminated /* comment', i);
      push('comment', j);
      continue;
    }
    if (c === "'" || ((c === 'E' || c === 'e' || c === 'N' || c === 'n') && next === "'")) {
      const open = c === "'" ? i : i + 1;
      push('string', endOfQuoted(sql, open, "'", true));
      continue;
    }
    if (c === '"') {
      push('quotedIdent', endOfQuoted(sql, i, '"', false));
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close === -1) throw new SqlTokenizeError(`unterminated dollar-quoted string ${tag[0]}`, i);
        push('dollarString', close + tag[0].length);
        continue;
      }
      if (next !== undefined && digit.test(next)) {
        let j = i + 1;
        while (j < n && digit.test(sql[j] as string)) j++;
        push('positional', j);
        continue;
      }
    }
    if (c === ':' && next !== ':' && sql[i - 1] !== ':' && next !== undefined && paramChar.test(next)) {
      let j = i + 1;
      while (j < n && paramChar.test(sql[j] as string)) j++;
      push('param', j);
      continue;
    }
    if (wordStart.test(c)) {
      let j = i + 1;
      while (j < n && wordChar.test(sql[j] as string)) j++;
      push('word', j);
      continue;
    }
    if (digit.test(c) || (c === '.' && next !== undefined && digit.test(next))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i, i + 400));
      push('number', i + (m?.[0].length ?? 1));
      continue;
    }
    if (c === ':') {
      push(next === ':' ? 'operator' : 'punct', next === ':' ? i + 2 : i + 1);
      continue;
    }
    if (c === ';') {
      push('semicolon', i + 1);
      continue;
    }
    if ('(),[].'.includes(c)) {
      push('punct', i + 1);
      continue;
    }
    if (operatorChars.includes(c)) {
      let j = i + 1;
      while (j < n && operatorChars.includes(sql[j] as string)) {
        // Stop before something that starts a comment or a parameter.
        if ((sql[j] === '-' && sql[j + 1] === '-') || (sql[j] === '/' && sql[j + 1] === '*')) break;
        j++;
      }
      push('operator', j);
      continue;
    }
    push('punct', i + 1);
  }
  return tokens;
}

function endOfQuoted(sql: string, open: number, quote: string, backslashEscapes: boolean): number {
  let j = open + 1;
  const n = sql.length;
  while (j < n) {
    const ch = sql[j];
    if (backslashEscapes && ch === '\\') {
      j += 2;
      continue;
    }
    if (ch === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  throw new SqlTokenizeError(
    quote === "'" ? 'unterminated quoted string' : 'unterminated quoted identifier',
    open,
  );
}

/** True for tokens that carry no meaning for the parser (whitespace and comments). */
export function isTrivia(token: Token): boolean {
  return token.kind === 'space' || token.kind === 'comment';
}

/** Case-insensitive test of a bare word. */
export function isWord(token: Token | undefined, ...words: string[]): boolean {
  if (token?.kind !== 'word') return false;
  const lower = token.text.toLowerCase();
  return words.length === 0 || words.includes(lower);
}

/** Splits a token list at top-level semicolons; statements with only trivia are dropped. */
export function splitStatements(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'semicolon') {
      if (current.some((x) => !isTrivia(x))) statements.push(current);
      current = [];
    } else current.push(t);
  }
  if (current.some((x) => !isTrivia(x))) statements.push(current);
  return statements;
}

export function joinTokens(tokens: readonly Token[]): string {
  let out = '';
  for (const t of tokens) out += t.text;
  return out;
}

/** Whether `token` is the punctuation `text`. */
export function isPunct(token: Token | undefined, text: string): boolean {
  return token !== undefined && token.kind === 'punct' && token.text === text;
}

/** Index of the next meaningful (non-trivia) token at or after `from`, or -1. */
export function nextIndex(tokens: readonly Token[], from: number): number {
  for (let i = from; i < tokens.length; i++) if (!isTrivia(tokens[i] as Token)) return i;
  return -1;
}

/** Index of the last meaningful (non-trivia) token at or before `from`, or -1. */
export function prevIndex(tokens: readonly Token[], from: number): number {
  for (let i = from; i >= 0; i--) if (!isTrivia(tokens[i] as Token)) return i;
  return -1;
}

/** Index of the `)` closing the `(` at `open`, or -1 when it is not closed in this statement. */
export function matchingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')') && --depth === 0) return i;
  }
  return -1;
}
