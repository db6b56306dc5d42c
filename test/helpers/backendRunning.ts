import pg from 'pg';

/**
 * The pid of a PostgreSQL backend running a statement whose text contains `marker` (of `user`,
 * when given), once one runs it. Nothing signals that a statement has started, so
 * pg_stat_activity is asked again every 10 ms (without hogging a core), for at most `timeoutMs`
 * (default one minute, within a test's timeout). `admin` is a connected client, or a database URL
 * to connect to for the wait.
 */
export async function backendRunning(
  admin: pg.ClientBase | string,
  marker: string,
  { user, timeoutMs = 60_000 }: { user?: string; timeoutMs?: number } = {},
): Promise<number> {
  const client = typeof admin === 'string' ? new pg.Client(admin) : admin;
  if (typeof admin === 'string') await (client as pg.Client).connect();
  try {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      const { rows } = await client.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE state = 'active' AND strpos(query, $1) > 0 AND pid <> pg_backend_pid()
            AND ($2::text IS NULL OR usename = $2)`,
        [marker, user ?? null],
      );
      if (rows[0] !== undefined) return rows[0].pid;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no backend${user ? ` of ${user}` : ''} ran ${marker} within ${timeoutMs / 1000} s`);
  } finally {
    if (typeof admin === 'string') await (client as pg.Client).end();
  }
}
