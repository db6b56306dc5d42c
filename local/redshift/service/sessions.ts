import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { connectionLost } from '../../postgres/enginePool.ts';
import type { ConnectionInfo } from '../statements/statementRecord.ts';

/**
 * A Data API session (`SessionKeepAliveSeconds`): one engine connection kept between statements
 * so temp tables and settings survive, closed when it has been idle for its keep-alive time.
 */
export interface Session {
  id: string;
  connection: ConnectionInfo;
  client: pg.PoolClient;
  keepAliveSeconds: number;
  createdAt: Date;
  updatedAt: Date;
  busy: boolean;
  currentStatementId?: string | undefined;
  timer?: NodeJS.Timeout | undefined;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  list(): Session[] {
    return [...this.sessions.values()];
  }

  open(
    client: pg.PoolClient,
    connection: ConnectionInfo,
    keepAliveSeconds: number,
    id: string = randomUUID(),
  ): Session {
    const now = new Date();
    const session: Session = {
      id,
      connection,
      client,
      keepAliveSeconds,
      createdAt: now,
      updatedAt: now,
      busy: true,
    };
    this.sessions.set(session.id, session);
    // A session lives as long as its connection (temp tables and settings die with it): one the
    // engine ends while idle ends at once; a busy one ends when its statement does (idle()).
    client.on('error', () => {
      if (!session.busy) this.close(session.id);
    });
    return session;
  }

  /**
   * Marks the session busy with a statement. Its keep-alive clock stops: the time counts from the
   * end of its last statement, so a statement running past it must not see its connection closed.
   */
  begin(session: Session, statementId: string): void {
    session.busy = true;
    session.currentStatementId = statementId;
    clearTimeout(session.timer);
    session.timer = undefined;
  }

  /** Marks the session idle again and (re)starts its keep-alive clock; ends it if its connection is lost. */
  idle(session: Session, keepAliveSeconds?: number): void {
    if (connectionLost(session.client)) {
      this.close(session.id);
      return;
    }
    session.busy = false;
    session.currentStatementId = undefined;
    session.updatedAt = new Date();
    if (keepAliveSeconds !== undefined && keepAliveSeconds > 0) session.keepAliveSeconds = keepAliveSeconds;
    clearTimeout(session.timer);
    session.timer = setTimeout(() => this.close(session.id), session.keepAliveSeconds * 1000);
    session.timer.unref();
  }

  /** Ends a session and its connection. */
  close(id: string): void {
    const session = this.sessions.get(id);
    if (session === undefined) return;
    this.sessions.delete(id);
    clearTimeout(session.timer);
    // A session's temp tables and settings must not leak into the pool: drop the connection.
    session.client.release(true);
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.close(id);
  }
}
