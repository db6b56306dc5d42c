import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPostgres } from '../../../../local/postgres/startPostgres.ts';

// The interleaving CI can hit: the port the kernel called free is bound by another process
// (another test's server, an outgoing connection's ephemeral port) before PostgreSQL binds it.
// The next probe answers that port once, here, by hand.
const handedOut: number[] = [];
vi.mock('../../../../local/net/freePort.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../local/net/freePort.ts')>();
  return { ...real, freePort: async () => handedOut.shift() ?? real.freePort() };
});

describe('startPostgres', () => {
  let dataDir: string;
  let squatter: Server;
  let squatted: number;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rt-start-pg-'));
    squatter = createServer((socket) => socket.end('squatter\n'));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    squatted = (squatter.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => squatter?.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes another free port when the probed one is bound before PostgreSQL binds it', async () => {
    handedOut.push(squatted);
    const server = await startPostgres({ dataDir });
    try {
      expect(handedOut).toEqual([]);
      expect(server.port).not.toBe(squatted);
      const client = new pg.Client(server.url);
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
      // The squatter still owns its port.
      expect(squatter.listening).toBe(true);
      expect((squatter.address() as { port: number }).port).toBe(squatted);
    } finally {
      await server.stop();
    }
  });

  it('reports a port given by the caller that is taken, naming it', async () => {
    const error = await startPostgres({ dataDir, port: squatted }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^local PostgreSQL exited with code 1 before it was ready:/);
    expect(error?.message).toContain('Address already in use');
    expect(error?.message).toContain(`port ${squatted}`);
  });
});
