import type pg from 'pg';
import { quoteIdent } from '../../src/sql/identifiers.ts';

/** PostgreSQL keeps 63 bytes of a name (NAMEDATALEN - 1) and silently cuts the rest. */
export const MAX_ROLE_NAME_BYTES = 63;

/** Names PostgreSQL refuses for a role ("role name ... is reserved"). */
const RESERVED_ROLE_NAMES = new Set(['public', 'none', 'current_user', 'session_user', 'current_role']);

/**
 * Why `name` cannot be a role of the local engine, or undefined when it can. A longer name would
 * be cut to another user's name, `pg_` names are PostgreSQL's own roles.
 */
export function roleNameProblem(name: string): string | undefined {
  try {
    quoteIdent(name, 'user name');
  } catch (error) {
    return (error as Error).message;
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_ROLE_NAME_BYTES) {
    return `User name ${JSON.stringify(name)} is ${Buffer.byteLength(name, 'utf8')} bytes: the local engine (PostgreSQL) keeps ${MAX_ROLE_NAME_BYTES}; use a shorter name.`;
  }
  if (RESERVED_ROLE_NAMES.has(name.toLowerCase()) || name.toLowerCase().startsWith('pg_')) {
    return `User name ${JSON.stringify(name)} is reserved (PUBLIC, NONE, CURRENT_USER, SESSION_USER, CURRENT_ROLE and pg_* are the engine's own); use another name.`;
  }
  return undefined;
}

interface Queryable {
  query(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
}

/**
 * Database users created on demand, as Redshift's `GetClusterCredentials` with AutoCreate does
 * for the Data API's DbUser. Each new role is `LOGIN SUPERUSER`: locally every user acts as the
 * cluster's admin user (objects created by one user stay usable by every other, as the demo and
 * the tests need); a role that already exists is used as it is. Only an engine user that is itself
 * a superuser can create and assume roles; otherwise every statement runs as that engine user.
 */
export class RoleRegistry {
  private readonly ready = new Map<string, Promise<void>>();
  private superuser: Promise<boolean> | undefined;

  constructor(private readonly admin: () => Queryable) {}

  /** Whether users are mapped to roles: the engine's own user is a superuser. */
  mapsUsers(): Promise<boolean> {
    this.superuser ??= this.admin()
      .query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')
      .then((r) => r.rows[0]?.rolsuper === true);
    this.superuser.catch(() => {
      this.superuser = undefined;
    });
    return this.superuser;
  }

  /** Creates the role `name` when it does not exist; two first uses at once both succeed. */
  ensure(name: string): Promise<void> {
    const problem = roleNameProblem(name);
    if (problem !== undefined) return Promise.reject(new Error(problem));
    let ready = this.ready.get(name);
    if (ready === undefined) {
      ready = this.create(name);
      this.ready.set(name, ready);
      ready.catch(() => this.ready.delete(name));
    }
    return ready;
  }

  /** Makes `name` the session and current user of `client` (back to the default by DISCARD ALL). */
  async become(client: Queryable, name: string): Promise<void> {
    if (!(await this.mapsUsers())) return;
    await this.ensure(name);
    await client.query(`SET SESSION AUTHORIZATION ${quoteIdent(name, 'user name')}`);
  }

  private async create(name: string): Promise<void> {
    const admin = this.admin();
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    if (exists.rowCount !== 0) return;
    try {
      await admin.query(`CREATE ROLE ${quoteIdent(name, 'user name')} LOGIN SUPERUSER`);
    } catch (error) {
      // Another server or connection created it first: 42710 when it had committed, 23505 when
      // both inserted into pg_authid at once.
      const code = (error as { code?: string }).code;
      if (code !== '42710' && code !== '23505') throw error;
    }
  }
}
