import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../local/postgres/startPostgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the `postgres` database of the one PostgreSQL cluster the whole test run shares. */
    pgUrl: string;
  }
}

/**
 * One private PostgreSQL cluster for the whole run (initdb costs seconds); every test file makes
 * its own database in it (test/helpers/testDatabase.ts), so files stay independent.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rt-test-pg-'));
  const pg = await startPostgres({ dataDir });
  project.provide('pgUrl', pg.url);
  return async () => {
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
