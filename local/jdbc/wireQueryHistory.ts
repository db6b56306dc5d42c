import { isTrivia, splitStatements, type Token, tokenize } from '../redshift/sql/tokenize.ts';
import { recordQueryHistory } from '../redshift/statements/queryHistory.ts';
import type { Message } from './wireMessages.ts';

interface Pending {
  tokens: Token[];
  label: string;
  start: Date;
  rows: number;
}

export interface WireQueryHistoryOptions {
  database: string;
  /** Writes a SYS_QUERY_HISTORY row outside the session (the side pool). */
  write: (sql: string, params: unknown[]) => Promise<unknown>;
  nextQueryId: () => number;
}

/**
 * SYS_QUERY_HISTORY for the wire endpoint: the statements a client sends (simple Query, or
 * Parse/Bind/Execute) are queued in order, and the engine's replies, in the same order, end them:
 * DataRow counts the rows, CommandComplete (or EmptyQueryResponse) is a success, ErrorResponse a
 * failure; ReadyForQuery drops what the engine skipped after an error. The label is the session's
 * query_group, followed from its SET/RESET statements.
 */
export class WireQueryHistory {
  private readonly pending: Pending[] = [];
  private readonly statements = new Map<string, string>();
  private readonly portals = new Map<string, string>();
  private label = 'default';
  private sessionId = 0;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: WireQueryHistoryOptions) {}

  /** A simple Query's text: each of its statements. */
  query(sql: string): void {
    let statements: Token[][];
    try {
      statements = splitStatements(tokenize(sql));
    } catch {
      return;
    }
    for (const tokens of statements) this.queue(tokens);
  }

  parse(name: string, sql: string): void {
    this.statements.set(name, sql);
  }

  bind(portal: string, statement: string): void {
    const sql = this.statements.get(statement);
    if (sql !== undefined) this.portals.set(portal, sql);
  }

  execute(portal: string): void {
    const sql = this.portals.get(portal);
    if (sql !== undefined) this.query(sql);
  }

  /** A message from the engine. */
  reply(m: Message): void {
    const head = this.pending[0];
    switch (m.type) {
      case 'K':
        this.sessionId = m.body.readInt32BE(0);
        return;
      case 'D':
        if (head !== undefined) head.rows++;
        return;
      case 'C':
      case 'I':
        if (head !== undefined) this.end(head, 'success');
        return;
      case 'E':
        if (head !== undefined) this.end(head, 'failed', errorText(m.body));
        return;
      case 'Z':
        this.pending.length = 0;
        return;
      default:
    }
  }

  private queue(tokens: Token[]): void {
    this.pending.push({ tokens, label: this.label, start: new Date(), rows: 0 });
    const words = tokens.filter((t) => !isTrivia(t));
    const w = (i: number) => words[i]?.text.toLowerCase();
    if (w(0) === 'reset' && w(1) === 'query_group') this.label = 'default';
    if (w(0) === 'set' && w(1) === 'query_group' && words[3]?.kind === 'string') {
      this.label = (words[3] as Token).text.slice(1, -1).replace(/''/g, "'") || 'default';
    }
  }

  private end(p: Pending, status: 'success' | 'failed', error?: string): void {
    this.pending.shift();
    const queryId = this.options.nextQueryId();
    const entry = {
      queryId,
      label: p.label,
      sessionId: this.sessionId,
      database: this.options.database,
      tokens: p.tokens,
      status,
      start: p.start,
      end: new Date(),
      returnedRows: status === 'success' ? p.rows : 0,
      error,
    };
    this.writes = this.writes.then(() => recordQueryHistory(this.options.write, entry));
  }

  /**
   * Settles once the rows of the statements ended so far are written: the endpoint waits for it
   * before sending the session's next statement, so that statement sees them.
   */
  flushed(): Promise<unknown> {
    return this.writes;
  }
}

/** The `M` (message) field of an ErrorResponse. */
function errorText(body: Buffer): string {
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const field = String.fromCharCode(body[at] as number);
    const end = body.indexOf(0, at + 1);
    if (end === -1) break;
    if (field === 'M') return body.subarray(at + 1, end).toString('utf8');
    at = end + 1;
  }
  return '';
}
