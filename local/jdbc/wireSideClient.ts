import pg from 'pg';
import { connectionLost, noteQueryError } from '../postgres/enginePool.ts';

/** The application_name of the wire's side connections, which tells them apart in pg_stat_activity. */
export const WIRE_SIDE_APPLICATION = 'redshift-wire-side';

/**
 * A side connection of a wire connection (UNLOAD/COPY, the operand probe). The engine may end it
 * (pg_terminate_backend, a fast shutdown, DROP DATABASE ... WITH (FORCE)): pg then emits 'error'
 * on the client, which without a listener ends the whole process. Here `onGone` hears it, and the
 * connection's end: the client can run nothing more.
 */
export function wireSideClient(config: { url: string; options?: string }, onGone: () => void): pg.Client {
  const client = new pg.Client({
    connectionString: config.url,
    application_name: WIRE_SIDE_APPLICATION,
    ...(config.options === undefined ? {} : { options: config.options }),
  });
  client.on('error', onGone);
  client.once('end', onGone);
  return client;
}

export interface WireSideConnectionOptions {
  url: string;
  /** Session options (`-c name=value ...`). */
  options?: string;
  /** Run once on each new connection. */
  setup?: (client: pg.Client) => Promise<void>;
}

/**
 * The one side connection a wire connection keeps for a concern, opened on first use. One the
 * engine ended is dropped (its holder's query fails with the engine's error) and the next `begin`
 * opens another; `end` resolves once it is closed.
 */
export class WireSideConnection {
  private side: Promise<pg.Client> | undefined;
  /** What each opening holds, for drop() to know whether it is the current one. */
  private readonly clients = new WeakMap<Promise<pg.Client>, pg.Client>();
  private readonly lost = new WeakSet<pg.Client>();
  private ended = false;

  constructor(private readonly options: WireSideConnectionOptions) {}

  private connection(): Promise<pg.Client> {
    // Nothing is opened once ended: `end` would not see it.
    if (this.ended) return Promise.reject(new Error('the wire connection is closing'));
    if (this.side === undefined) {
      const client = wireSideClient(this.options, () => this.drop(client));
      const opened = (async () => {
        try {
          await client.connect();
          await this.options.setup?.(client);
        } catch (error) {
          this.drop(client);
          await client.end().catch(() => {});
          throw error;
        }
        return client;
      })();
      this.side = opened;
      this.clients.set(opened, client);
      opened.catch(() => {});
    }
    return this.side;
  }

  private drop(client: pg.Client): void {
    this.lost.add(client);
    if (this.side !== undefined && this.clients.get(this.side) === client) this.side = undefined;
  }

  /**
   * The connection, in a transaction begun. `connected` runs between the connect and the BEGIN
   * (it may throw to go no further). One the engine ended while idle fails its BEGIN, before
   * anything has run on it: another is opened then, once.
   */
  async begin(connected: (client: pg.Client) => void = () => {}): Promise<pg.Client> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.connection();
      connected(client);
      try {
        await client.query('BEGIN');
        return client;
      } catch (error) {
        this.failed(client, error);
        if (attempt > 0 || !this.lost.has(client)) throw error;
      }
    }
  }

  /** Notes a query's error: a FATAL one (57P01...) is the engine ending the session, told at once. */
  failed(client: pg.Client, error: unknown): void {
    noteQueryError(client, error);
    if (connectionLost(client)) this.drop(client);
  }

  /** The connection open now, if any. */
  async current(): Promise<pg.Client | undefined> {
    return this.side?.catch(() => undefined);
  }

  /** Resolves once the connection is closed (the engine has read its goodbye). */
  async end(): Promise<void> {
    this.ended = true;
    const client = await this.current();
    await client?.end().catch(() => {});
  }
}
