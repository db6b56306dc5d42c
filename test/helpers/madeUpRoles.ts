import pg from 'pg';
import { inject } from 'vitest';

/**
 * Database users a test file makes up (roles of the shared test cluster, created on demand by the
 * endpoint they connect to): `drop` removes those, and nothing else.
 */
export function madeUpRoles(): { newUser(prefix: string): string; drop(): Promise<void> } {
  const names: string[] = [];
  return {
    newUser: (prefix) => {
      const name = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
      names.push(name);
      return name;
    },
    drop: async () => {
      const admin = new pg.Client(inject('pgUrl'));
      await admin.connect();
      try {
        for (const name of names) await admin.query(`DROP ROLE IF EXISTS "${name}"`);
      } finally {
        await admin.end();
      }
    },
  };
}
