import type pg from 'pg';
import { createEnginePool, endEnginePool } from '../../postgres/enginePool.ts';
import { RoleRegistry } from '../../postgres/ensureRole.ts';
import { COMPAT_FUNCTIONS_DDL, COMPAT_SCHEMA } from './compatFunctions.ts';

/**
 * Settings of every session, as Redshift behaves: backslash escapes in '...' literals (our SQL
 * builders rely on it) without the warning noise, UTC, ISO dates, the compat functions visible.
 */
export const SESSION_OPTIONS = [
  '-c standard_conforming_strings=off',
  '-c escape_string_warning=off',
  `-c search_path=public,${COMPAT_SCHEMA}`,
  '-c TimeZone=UTC',
  '-c DateStyle=ISO,MDY',
  '-c IntervalStyle=postgres',
  '-c client_min_messages=warning',
].join(' ');

/** The requested database does not exist in the engine. */
export class MissingDatabaseError extends Error {
  constructor(readonly database: string) {
    super(`database "${database}" does not exist`);
    this.name = 'MissingDatabaseError';
  }
}

export interface DatabasePoolsOptions {
  /** URL of any database of the cluster; other databases are reached by replacing its path. */
  baseUrl: string;
  /** Connections per database (statements beyond it wait for one). */
  poolSize?: number;
  /** Extra idempotent DDL run when a database is first used (the commands' system tables). */
  bootstrapDdl?: () => Promise<readonly string[]>;
}

/**
 * One connection pool per database of the engine, created on first use. The first use of a
 * database also installs the compat functions (and the system tables) in it, under an advisory
 * lock so that two servers sharing a cluster do not race.
 */
export class DatabasePools {
  private readonly pools = new Map<string, Promise<pg.Pool>>();
  private readonly sidePools = new Map<string, pg.Pool>();
  private admin: pg.Pool | undefined;
  /** The database users (DbUser, the wire's user) as roles of the engine, created on demand. */
  readonly roles = new RoleRegistry(() => this.adminPool());

  constructor(private readonly options: DatabasePoolsOptions) {}

  urlFor(database: string): string {
    const url = new URL(this.options.baseUrl);
    url.pathname = `/${encodeURIComponent(database)}`;
    return url.toString();
  }

  /** The pool of `database`, bootstrapped; rejects with MissingDatabaseError when there is none. */
  pool(database: string): Promise<pg.Pool> {
    let pool = this.pools.get(database);
    if (pool === undefined) {
      pool = this.create(database);
      this.pools.set(database, pool);
      // A failed creation (missing database, engine down) must not be cached forever.
      pool.catch(() => this.pools.delete(database));
    }
    return pool;
  }

  private async create(database: string): Promise<pg.Pool> {
    const pool = createEnginePool({
      connectionString: this.urlFor(database),
      max: this.options.poolSize ?? 10,
      idleTimeoutMillis: 30_000,
      options: SESSION_OPTIONS,
      application_name: 'redshift-data-local',
    });
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      await endEnginePool(pool).catch(() => {});
      if ((error as { code?: string }).code === '3D000') throw new MissingDatabaseError(database);
      throw error;
    }
    try {
      const extra = (await this.options.bootstrapDdl?.()) ?? [];
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('redshift-data-local bootstrap'))");
      for (const ddl of [...COMPAT_FUNCTIONS_DDL, ...extra]) await client.query(ddl);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      client.release(true);
      await endEnginePool(pool).catch(() => {});
      throw error;
    }
    return pool;
  }

  /**
   * A second, small pool of `database` for work a running statement does on the side (the
   * commands' `autonomous()` writes to stl_load_errors). Separate so that statements holding every
   * connection of the main pool can never wait on it for one: that would deadlock.
   */
  async sidePool(database: string): Promise<pg.Pool> {
    await this.pool(database); // Exists and is bootstrapped.
    let side = this.sidePools.get(database);
    if (side === undefined) {
      side = createEnginePool({
        connectionString: this.urlFor(database),
        max: 3,
        idleTimeoutMillis: 30_000,
        options: SESSION_OPTIONS,
        application_name: 'redshift-data-local',
      });
      this.sidePools.set(database, side);
    }
    return side;
  }

  /** A pool on the cluster's maintenance database: cancels, catalog of databases. */
  adminPool(): pg.Pool {
    if (this.admin === undefined) {
      this.admin = createEnginePool({
        connectionString: this.options.baseUrl,
        max: 2,
        options: SESSION_OPTIONS,
      });
    }
    return this.admin;
  }

  /** Asks the engine to cancel whatever the backend `pid` is running. */
  async cancelBackend(pid: number): Promise<void> {
    await this.adminPool().query('SELECT pg_cancel_backend($1)', [pid]);
  }

  async end(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(
      pools.map(async (p) => {
        try {
          await endEnginePool(await p);
        } catch {
          // A pool that never came up has nothing to close.
        }
      }),
    );
    const sides = [...this.sidePools.values()];
    this.sidePools.clear();
    await Promise.all(sides.map((p) => endEnginePool(p).catch(() => {})));
    if (this.admin !== undefined) await endEnginePool(this.admin);
    this.admin = undefined;
  }
}
