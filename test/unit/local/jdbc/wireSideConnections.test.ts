import { CreateBucketCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedshiftWire, startRedshiftWire } from '../../../../local/jdbc/startRedshiftWire.ts';
import { WIRE_SIDE_APPLICATION } from '../../../../local/jdbc/wireSideClient.ts';
import { backendRunning } from '../../../helpers/backendRunning.ts';
import { madeUpRoles } from '../../../helpers/madeUpRoles.ts';
import { createTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.ts';
import { startTestS3, type TestS3 } from '../../../helpers/testS3.ts';
import { wireUrl } from '../../../helpers/wireUrl.ts';

// Each wire connection answers UNLOAD and COPY, and probes DECIMAL operands, on side connections
// of its own (pg clients). The engine may end one under it (pg_terminate_backend, DROP DATABASE
// ... WITH (FORCE) right after stop()): pg then emits 'error' on the client, and a client without
// a listener took the whole process down with an unhandled 57P01.

const ROLE = 'arn:aws:iam::123456789012:role/R';
const BUCKET = 'wire-side';

let db: TestDatabase;
let s3: TestS3;
let admin: pg.Client;
const roles = madeUpRoles();

beforeAll(async () => {
  db = await createTestDatabase('wireside');
  s3 = await startTestS3();
  await s3.client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  admin = new pg.Client(db.url);
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await s3?.stop();
  await db?.drop();
  await roles.drop();
});

/** A user of its own, so that its backends (the client's and the side ones) are told apart. */
const newUser = () => roles.newUser('side');

async function connect(wire: RedshiftWire, user: string): Promise<pg.Client> {
  const client = new pg.Client(wireUrl(db.url, wire, user));
  await client.connect();
  return client;
}

/** The side connections' backends of `user`, with those of `pids`. */
async function sideBackends(user: string, pids: number[] = []): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE usename = $1 AND (application_name = $2 OR pid = ANY($3)) ORDER BY pid',
    [user, WIRE_SIDE_APPLICATION, pids],
  );
  return rows.map((r) => r.pid);
}

const unload = (prefix: string, select = 'select 1 as one') =>
  `unload ('${select}') to 's3://${BUCKET}/${prefix}/u_' iam_role '${ROLE}' format csv parallel off`;

describe('Redshift wire endpoint: side connections', () => {
  it('stop() resolves once every side connection is closed, a running UNLOAD included', async () => {
    const wire = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint });
    const user = newUser();
    const idle = await connect(wire, user);
    const busy = await connect(wire, user);
    idle.on('error', () => {});
    busy.on('error', () => {});
    // The UNLOAD and DECIMAL probe side connections of `idle`, open and idle.
    await admin.query(`CREATE TABLE prices (p decimal(10,2)); GRANT SELECT ON prices TO "${user}"`);
    await idle.query(unload('idle'));
    await idle.query('select p * p as x from prices');
    expect((await s3.getBytes(BUCKET, 'idle/u_000')).toString('utf8')).toBe('1\n');
    // `busy` has an UNLOAD running on its side connection when the endpoint stops.
    const running = busy.query(unload('busy', 'select 1 from pg_sleep(600)')).then(
      () => undefined,
      (error: Error) => error,
    );
    const sleeper = await backendRunning(admin, 'pg_sleep(600)', { user });
    const before = await sideBackends(user);
    expect(before).toContain(sleeper);
    expect(before).toHaveLength(3);

    await wire.stop();

    // Right after stop(): none of the side connections remains. (The clients' own backends may
    // still be on their way out: PostgreSQL notices on its own that their socket has closed.)
    expect(await sideBackends(user, [sleeper])).toEqual([]);
    expect(await running).toBeInstanceOf(Error);
    await idle.end();
    await busy.end();
  });

  it('a side connection the engine ends fails the command running on it, not the process; the next one runs', async () => {
    const wire = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint });
    const user = newUser();
    const client = await connect(wire, user);
    try {
      const running = client.query(unload('killed', 'select 1 from pg_sleep(601)')).then(
        () => undefined,
        (error: Error & { code?: string }) => error,
      );
      const pid = await backendRunning(admin, 'pg_sleep(601)', { user });
      const { rows } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1, 60000) AS ok', [
        pid,
      ]);
      expect(rows[0]?.ok).toBe(true);
      const failed = await running;
      expect(failed?.code).toBe('57P01');
      expect(failed?.message).toContain('terminating connection due to administrator command');

      // The client's connection goes on, and the next UNLOAD gets a new side connection.
      await client.query(unload('after'));
      expect((await s3.getBytes(BUCKET, 'after/u_000')).toString('utf8')).toBe('1\n');
      expect((await client.query('select 2 as two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await client.end();
      await wire.stop();
    }
  });

  /** Ends backend `pid` from another connection and waits until it is gone (PostgreSQL 14+). */
  const terminate = async (pid: number) => {
    const { rows } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1, 60000) AS ok', [
      pid,
    ]);
    expect(rows[0]?.ok).toBe(true);
  };

  it('an idle UNLOAD side connection the engine ended is replaced: the next UNLOAD runs', async () => {
    const wire = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint });
    const user = newUser();
    const client = await connect(wire, user);
    try {
      await client.query(unload('first'));
      const [side, ...more] = await sideBackends(user);
      expect(more).toEqual([]);
      await terminate(side as number);

      await client.query(unload('second'));
      expect((await s3.getBytes(BUCKET, 'second/u_000')).toString('utf8')).toBe('1\n');
      const now = await sideBackends(user);
      expect(now).toHaveLength(1);
      expect(now).not.toContain(side);
    } finally {
      await client.end();
      await wire.stop();
    }
  });

  it('a DECIMAL probe side connection the engine ended is replaced: results keep the Redshift type', async () => {
    const wire = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint });
    const user = newUser();
    const client = await connect(wire, user);
    // The guide's SALES columns (r_numeric_computations201.html): PRICEPAID and COMMISSION are DECIMAL(8,2).
    await admin.query(
      `CREATE TABLE sales (salesid integer, pricepaid decimal(8,2), commission decimal(8,2));
       INSERT INTO sales VALUES (1, 728.00, 109.20); GRANT SELECT ON sales TO "${user}"`,
    );
    // "Precision = 8-2 + 2 + max(4,2+8-2+1) = 17, Scale = max(4,2+8-2+1) = 9, Result = DECIMAL(17,9)".
    const ratio = async () =>
      (await client.query({ text: 'select pricepaid / commission from sales', rowMode: 'array' })).rows;
    try {
      expect(await ratio()).toEqual([['6.666666667']]);
      const [probe, ...more] = await sideBackends(user);
      expect(more).toEqual([]);
      await terminate(probe as number);

      expect(await ratio()).toEqual([['6.666666667']]);
      const now = await sideBackends(user);
      expect(now).toHaveLength(1);
      expect(now).not.toContain(probe);
    } finally {
      await client.end();
      await wire.stop();
      await admin.query('DROP TABLE sales');
    }
  });
});
