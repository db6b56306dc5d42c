import { RedshiftSqlError } from '../types.ts';
import type { Token } from './tokenize.ts';
import { syntaxError } from './tokenize.ts';

/** A read position over the tokens of one statement, with the helpers a recursive-descent parser needs. */
export class Cursor {
  private i = 0;
  constructor(
    readonly sql: string,
    private readonly tokens: Token[],
  ) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  /** The upper-cased word at the cursor, or '' if the token is not a bare word. */
  peekWord(ahead = 0): string {
    const t = this.peek(ahead);
    return t.kind === 'word' ? t.value.toUpperCase() : '';
  }

  acceptWord(...words: string[]): string | undefined {
    const w = this.peekWord();
    if (w !== '' && words.includes(w)) {
      this.next();
      return w;
    }
    return undefined;
  }

  expectWord(...words: string[]): string {
    const w = this.acceptWord(...words);
    if (w === undefined) throw this.error(`expected ${words.join(' or ')}`);
    return w;
  }

  acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.value === p) {
      this.next();
      return true;
    }
    return false;
  }

  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) throw this.error(`expected "${p}"`);
  }

  expectString(what: string): string {
    const t = this.peek();
    if (t.kind !== 'string') throw this.error(`expected a quoted string for ${what}`);
    this.next();
    return t.value;
  }

  /** An unquoted or double-quoted identifier; unquoted ones fold to lower case, as in Redshift. */
  expectIdentifier(what: string): string {
    const t = this.peek();
    if (t.kind === 'word') {
      this.next();
      return t.value.toLowerCase();
    }
    if (t.kind === 'quotedIdent') {
      this.next();
      // Redshift folds even quoted identifiers to lower case unless enable_case_sensitive_identifier is on.
      return t.value.toLowerCase();
    }
    throw this.error(`expected ${what}`);
  }

  expectInteger(what: string): number {
    const t = this.peek();
    if (t.kind !== 'number' || !/^[0-9]+$/.test(t.value)) throw this.error(`expected an integer for ${what}`);
    this.next();
    const n = Number(t.value);
    if (!Number.isSafeInteger(n))
      throw new RedshiftSqlError(`${what} value ${t.value} is out of range`, '22003');
    return n;
  }

  expectNumber(what: string): number {
    const t = this.peek();
    if (t.kind !== 'number' || !/^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(t.value))
      throw this.error(`expected a number for ${what}`);
    this.next();
    return Number(t.value);
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  /** Accepts one optional trailing `;` and then requires the end of input. */
  expectEnd(): void {
    this.acceptPunct(';');
    if (!this.atEnd()) throw this.error();
  }

  error(detail?: string): RedshiftSqlError {
    return syntaxError(this.sql, this.peek().offset, detail);
  }
}
