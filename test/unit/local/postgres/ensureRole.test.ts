import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RoleRegistry, roleNameProblem } from '../../../../local/postgres/ensureRole.ts';

describe('roleNameProblem', () => {
  it('accepts Redshift-style names, IAM identities included', () => {
    for (const name of ['awsuser', 'etl.user@corp', 'IAMR:local', 'IAM:bob', 'Mixed Case']) {
      expect(roleNameProblem(name)).toBeUndefined();
    }
  });

  it('refuses quotes, control characters, names PostgreSQL would cut, and reserved names, saying why', () => {
    expect(roleNameProblem('x"; drop table t; --')).toMatch(/double quotes/);
    expect(roleNameProblem('a\u0000b')).toMatch(/control characters/);
    expect(roleNameProblem('a'.repeat(64))).toMatch(/64 bytes: the local engine \(PostgreSQL\) keeps 63/);
    expect(roleNameProblem('é'.repeat(32))).toMatch(/64 bytes/);
    expect(roleNameProblem('PUBLIC')).toMatch(/reserved/);
    expect(roleNameProblem('pg_signal_backend')).toMatch(/reserved/);
  });
});

describe('RoleRegistry on the test cluster', () => {
  let admin: pg.Pool;
  const created: string[] = [];
  beforeAll(() => {
    admin = new pg.Pool({ connectionString: inject('pgUrl'), max: 4 });
  });
  afterAll(async () => {
    // Only the roles this test made up.
    for (const name of created) await admin.query(`DROP ROLE IF EXISTS "${name}"`);
    await admin.end();
  });

  it('creates a role at first use, LOGIN SUPERUSER, and two registries racing on it both succeed', async () => {
    const name = `race_${randomUUID().slice(0, 8)}`;
    created.push(name);
    const a = new RoleRegistry(() => admin);
    const b = new RoleRegistry(() => admin);
    await Promise.all([a.ensure(name), b.ensure(name), a.ensure(name), b.ensure(name)]);
    const row = (await admin.query('SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = $1', [name]))
      .rows[0];
    expect(row).toEqual({ rolcanlogin: true, rolsuper: true });
  });

  it("leaves an existing role as it is (its privileges are the user's)", async () => {
    const name = `kept_${randomUUID().slice(0, 8)}`;
    created.push(name);
    await admin.query(`CREATE ROLE "${name}" LOGIN NOSUPERUSER`);
    await new RoleRegistry(() => admin).ensure(name);
    const row = (await admin.query('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [name])).rows[0];
    expect(row).toEqual({ rolsuper: false });
  });

  it('become() makes the name the session and current user', async () => {
    const name = `IAMR:become-${randomUUID().slice(0, 8)}`;
    created.push(name);
    const client = await admin.connect();
    try {
      await new RoleRegistry(() => admin).become(client, name);
      const row = (await client.query('SELECT current_user AS c, session_user AS s')).rows[0];
      expect(row).toEqual({ c: name, s: name });
      await client.query('DISCARD ALL');
      expect((await client.query('SELECT current_user AS c')).rows[0].c).not.toBe(name);
    } finally {
      client.release();
    }
  });

  it('refuses a hostile name without sending it to the engine', async () => {
    const registry = new RoleRegistry(() => admin);
    await expect(registry.ensure('x"; drop role postgres; --')).rejects.toThrow(/double quotes/);
    expect((await admin.query("SELECT 1 FROM pg_roles WHERE rolname = 'postgres'")).rowCount).toBe(1);
  });
});
