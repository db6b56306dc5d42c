import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionLost,
  createEnginePool,
  endEnginePool,
  noteQueryError,
} from '../../../../local/postgres/enginePool.ts';
import { createTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.ts';

describe('engine pools', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('pool');
    admin = new pg.Client(db.url);
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  const backendsOf = async (pids: number[]) =>
    (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid = ANY($1)', [pids])).rows;

  it('endEnginePool resolves once every connection is closed, so a server stopped next ends none of them', async () => {
    const pool = createEnginePool({ connectionString: db.url, max: 4 });
    const ended = new Set<pg.ClientBase>();
    const clients: pg.PoolClient[] = [];
    pool.on('connect', (client) => client.once('end', () => ended.add(client)));
    for (let i = 0; i < 4; i++) clients.push(await pool.connect());
    const pids = clients.map((c) => (c as unknown as { processID: number }).processID);
    for (const c of clients) c.release();
    expect(await backendsOf(pids)).toHaveLength(4);

    await endEnginePool(pool);

    // pg's pool.end() alone resolves before any of these has happened.
    expect(clients.every((c) => ended.has(c))).toBe(true);
    expect(await backendsOf(pids)).toEqual([]);
  });

  it('a client checked out when the engine ends its connection is marked lost; the process goes on', async () => {
    const pool = createEnginePool({ connectionString: db.url, max: 2 });
    const client = await pool.connect();
    const pid = (client as unknown as { processID: number }).processID;
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    await admin.query('SELECT pg_terminate_backend($1, 60000)', [pid]);
    await ended; // pg emitted 'error' on the checked-out client before 'end': it did not throw
    expect(connectionLost(client)).toBe(true);
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await endEnginePool(pool);
  });

  it('noteQueryError marks a client lost on FATAL and PANIC errors only', () => {
    const client = new pg.Client(db.url);
    noteQueryError(
      client,
      Object.assign(new Error('canceling statement due to user request'), { severity: 'ERROR' }),
    );
    expect(connectionLost(client)).toBe(false);
    noteQueryError(client, Object.assign(new Error('terminating connection'), { severity: 'FATAL' }));
    expect(connectionLost(client)).toBe(true);
  });
});
