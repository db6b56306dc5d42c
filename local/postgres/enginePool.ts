import pg from 'pg';

/** Clients whose connection the engine ended (pg_terminate_backend, a shutdown): never to be reused. */
const lostClients = new WeakSet<pg.ClientBase>();
/** The clients of each engine pool whose connection is still open. */
const openClients = new WeakMap<pg.Pool, Set<pg.ClientBase>>();

/** Whether the engine ended this client's connection (it can run nothing more). */
export function connectionLost(client: pg.ClientBase): boolean {
  return lostClients.has(client);
}

/**
 * Notes a query's error: a FATAL (or PANIC) one is the engine ending the session (57P01...), which
 * pg reports to the running query at once and as the client's 'error' only when the socket closes.
 */
export function noteQueryError(client: pg.ClientBase, error: unknown): void {
  const severity = (error as { severity?: unknown } | undefined)?.severity;
  if (severity === 'FATAL' || severity === 'PANIC') lostClients.add(client);
}

/**
 * A pool whose clients never take the process down. pg emits 'error' on a client whose connection
 * the engine ends (57P01 from pg_terminate_backend, a fast shutdown, DROP DATABASE ... WITH
 * (FORCE)); the pool listens only while a client is idle in it, so one checked out (a session's,
 * a running statement's) had no listener and the error ended the process. Here every client has
 * one from its start, which marks it lost (the holder's next query fails, and it is discarded);
 * idle clients are still dropped by the pool, which reports them on its own 'error' (ignored).
 * End it with endEnginePool.
 */
export function createEnginePool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  const open = new Set<pg.ClientBase>();
  openClients.set(pool, open);
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    open.add(client);
    client.on('error', () => lostClients.add(client));
    client.once('end', () => open.delete(client));
  });
  return pool;
}

/**
 * Ends a pool and waits until its connections are closed. pg's pool.end() resolves once it has
 * asked its clients to end, before the engine has read their goodbye: an engine stopped (or a
 * database dropped WITH (FORCE)) right after ends those backends itself, and their 57P01 reached
 * an idle client (the `dataapi` benchmark died of it, its pool having no 'error' listener).
 */
export async function endEnginePool(pool: pg.Pool): Promise<void> {
  await pool.end();
  const open = [...(openClients.get(pool) ?? [])];
  await Promise.all(
    open.map((client) => new Promise<void>((resolve) => client.once('end', () => resolve()))),
  );
}
