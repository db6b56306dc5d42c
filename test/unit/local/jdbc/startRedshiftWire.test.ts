import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDSHIFT_SERVER_VERSION, REDSHIFT_VERSION_STRING } from '../../../../local/jdbc/redshiftVersion.ts';
import { type RedshiftWire, startRedshiftWire } from '../../../../local/jdbc/startRedshiftWire.ts';
import { madeUpRoles } from '../../../helpers/madeUpRoles.ts';
import { testPythonFor } from '../../../helpers/pythonEnv.ts';
import { createTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.ts';
import { startTestS3, type TestS3 } from '../../../helpers/testS3.ts';
import { wireUrl } from '../../../helpers/wireUrl.ts';

const run = promisify(execFile);
const py = testPythonFor('test/unit/local/jdbc/startRedshiftWire.test.ts');

let db: TestDatabase;
let s3: TestS3;
let wire: RedshiftWire;
let tlsDir: string;

beforeAll(async () => {
  db = await createTestDatabase('wire');
  s3 = await startTestS3();
  tlsDir = await mkdtemp(join(tmpdir(), 'rt-wire-tls-'));
  wire = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint, tlsDir });
});

/** Users the tests made up: their roles are dropped at the end (nothing else is). */
const roles = madeUpRoles();
const newUser = roles.newUser;

afterAll(async () => {
  await wire?.stop();
  await s3?.stop();
  await db?.drop();
  await rm(tlsDir, { recursive: true, force: true });
  await roles.drop();
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: wire.host, port: wire.port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the server has closed the connection (what it sends is read and dropped). */
function closedByServer(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => {});
    socket.resume();
    socket.once('close', () => resolve());
  });
}

function sslRequest(): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(8, 0);
  b.writeInt32BE(80877103, 4);
  return b;
}

async function queryOne(sql: string): Promise<unknown> {
  const client = new pg.Client(wireUrl(db.url, wire));
  await client.connect();
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

describe('Redshift wire endpoint: hostile and abrupt clients', () => {
  it("without a certificate answers SSLRequest with 'N' (no TLS), as a server without SSL does", async () => {
    const plain = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint });
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect({ host: plain.host, port: plain.port }, () => resolve(s));
        s.once('error', reject);
      });
      const answer = new Promise<Buffer>((resolve) => socket.once('data', resolve));
      socket.write(sslRequest());
      expect((await answer).toString('latin1')).toBe('N');
      socket.destroy();
      expect(plain.jdbcUrl('dev')).toMatch(/\?ssl=false$/);
    } finally {
      await plain.stop();
    }
  });

  it('survives clients that ask for SSL and hang up (redshift_connector default), with memory bounded', async () => {
    const before = process.memoryUsage().rss;
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const socket = await open();
          const closed = closedByServer(socket);
          socket.end(sslRequest());
          await closed;
        }),
      );
    }
    expect(await queryOne('select 1 as one')).toEqual({ one: 1 });
    // The bug this guards against grew the process by gigabytes within seconds.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('drops a client whose startup packet or message declares an absurd length, and keeps serving', async () => {
    const huge = await open();
    const hugeClosed = closedByServer(huge);
    const header = Buffer.alloc(8);
    header.writeInt32BE(0x7fffffff, 0);
    header.writeInt32BE(196608, 4);
    huge.write(header);
    await hugeClosed;

    const tiny = await open();
    const tinyClosed = closedByServer(tiny);
    tiny.write(Buffer.from([0, 0, 0, 2, 0, 0, 0, 0]));
    await tinyClosed;

    expect(await queryOne('select 2 as two')).toEqual({ two: 2 });
  });

  it('drops a client that sends garbage after a valid startup, without affecting others', async () => {
    const url = new URL(db.url);
    const params = Buffer.from(
      `user\0${decodeURIComponent(url.username || 'postgres')}\0database\0${db.name}\0\0`,
    );
    const startup = Buffer.alloc(8 + params.length);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    params.copy(startup, 8);
    const socket = await open();
    const closed = closedByServer(socket);
    socket.write(startup);
    const bad = Buffer.alloc(5);
    bad.write('Q', 0, 'latin1');
    bad.writeInt32BE(0x7ffffff0, 1);
    socket.write(bad);
    await closed;
    expect(await queryOne('select 3 as three')).toEqual({ three: 3 });
  });

  it("reports Redshift's version: server_version parameter and select version()", async () => {
    const client = new pg.Client(wireUrl(db.url, wire));
    const params = new Map<string, string>();
    client.connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) =>
      params.set(m.parameterName, m.parameterValue),
    );
    await client.connect();
    try {
      expect(params.get('server_version')).toBe(REDSHIFT_SERVER_VERSION);
      expect((await client.query('select version()')).rows[0]).toEqual({ version: REDSHIFT_VERSION_STRING });
    } finally {
      await client.end();
    }
  });
});

describe.skipIf(!py.ok)('Redshift wire endpoint through Python drivers', () => {
  const python = py.ok ? py.python : '';

  it('redshift_connector (ssl=False) and psycopg2 (sslmode prefer, its default) connect and query', async () => {
    const url = new URL(db.url);
    const user = decodeURIComponent(url.username || 'postgres');
    const script = `
import json, sys
import psycopg2, redshift_connector
host, port, database, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rc = redshift_connector.connect(host=host, port=port, database=database, user=user, password="x", ssl=False)
cur = rc.cursor()
cur.execute("select version()")
rc_version = cur.fetchone()[0]
cur.execute("select 40 + 2")
rc_answer = cur.fetchone()[0]
rc.close()
pc = psycopg2.connect(host=host, port=port, dbname=database, user=user, password="x")
pcur = pc.cursor()
pcur.execute("select 'psycopg2'::text")
pc_answer = pcur.fetchone()[0]
pc_version = pc.server_version
pc.close()
print(json.dumps({"rcVersion": rc_version, "rcAnswer": rc_answer, "pcAnswer": pc_answer, "pcVersion": pc_version}))
`;
    const { stdout } = await run(python, ['-c', script, wire.host, String(wire.port), db.name, user], {
      env: { PATH: process.env.PATH, PGSSLMODE: 'prefer' },
    });
    expect(JSON.parse(stdout)).toEqual({
      rcVersion: REDSHIFT_VERSION_STRING,
      rcAnswer: 42,
      pcAnswer: 'psycopg2',
      pcVersion: 80002,
    });
  });

  it('runs Redshift SQL through the Data API translation: DDL with encode/distkey/sortkey, nvl, len, getdate()', async () => {
    const url = new URL(db.url);
    const user = decodeURIComponent(url.username || 'postgres');
    const script = `
import json, sys
import psycopg2, redshift_connector
host, port, database, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
pc = psycopg2.connect(host=host, port=port, dbname=database, user=user, password="x")
pc.autocommit = True
pcur = pc.cursor()
pcur.execute("create table wire_sales (id int encode az64 distkey, note varchar(max) encode zstd, at timestamp) diststyle key sortkey(id)")
pcur.execute("insert into wire_sales values (1, null, getdate()), (2, 'abcd', sysdate)")
pcur.execute("select id, nvl(note, 'none'), len(nvl(note, '')), date_trunc('second', at) <= getdate() from wire_sales order by id")
pc_rows = [list(r) for r in pcur.fetchall()]
pcur.execute("alter table wire_sales alter distkey id")
pc.close()
rc = redshift_connector.connect(host=host, port=port, database=database, user=user, password="x", ssl=False)
rc.autocommit = True
cur = rc.cursor()
cur.execute("select nvl(note, %s), len(%s) from wire_sales where id = %s", ("none", "xyz", 1))
rc_row = list(cur.fetchone())
rc.close()
print(json.dumps({"pc": pc_rows, "rc": rc_row}))
`;
    const { stdout } = await run(python, ['-c', script, wire.host, String(wire.port), db.name, user], {
      env: { PATH: process.env.PATH },
    });
    expect(JSON.parse(stdout)).toEqual({
      pc: [
        [1, 'none', 0, true],
        [2, 'abcd', 4, true],
      ],
      rc: ['none', 3],
    });
    // Independent check on the engine: the table was created with the columns as written.
    const engine = new pg.Client(db.url);
    await engine.connect();
    try {
      const cols = await engine.query(
        "select column_name, data_type from information_schema.columns where table_name = 'wire_sales' order by ordinal_position",
      );
      expect(cols.rows.map((r) => r.column_name)).toEqual(['id', 'note', 'at']);
    } finally {
      await engine.end();
    }
  });
});

describe('Redshift wire endpoint: the connecting user is a role created on demand', () => {
  it('node-postgres as a new user: current_user, user and session_user name it', async () => {
    const user = newUser('wire');
    const client = new pg.Client(wireUrl(db.url, wire, user));
    await client.connect();
    try {
      const row = (await client.query('select current_user as cu, user as u, session_user as su')).rows[0];
      expect(row).toEqual({ cu: user, u: user, su: user });
    } finally {
      await client.end();
    }
  });

  it('refuses a user name the engine cannot hold with a FATAL naming it, and keeps serving', async () => {
    const client = new pg.Client(wireUrl(db.url, wire, encodeURIComponent('a'.repeat(80))));
    await expect(client.connect()).rejects.toThrow(/80 bytes: the local engine \(PostgreSQL\) keeps 63/);
    expect(await queryOne('select 4 as four')).toEqual({ four: 4 });
  });
});

describe.skipIf(!py.ok)('Redshift wire endpoint users through Python drivers', () => {
  it('psycopg2 and redshift_connector connect as a new user and run as it', async () => {
    const user = newUser('py');
    const script = `
import json, sys
import psycopg2, redshift_connector
host, port, database, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
q = "select current_user, user, session_user"
pc = psycopg2.connect(host=host, port=port, dbname=database, user=user, password="x")
pcur = pc.cursor(); pcur.execute(q); pc_row = list(pcur.fetchone()); pc.close()
rc = redshift_connector.connect(host=host, port=port, database=database, user=user, password="x", ssl=False)
cur = rc.cursor(); cur.execute(q); rc_row = list(cur.fetchone()); rc.close()
print(json.dumps({"pc": pc_row, "rc": rc_row}))
`;
    const { stdout } = await run(
      py.ok ? py.python : '',
      ['-c', script, wire.host, String(wire.port), db.name, user],
      {
        env: { PATH: process.env.PATH },
      },
    );
    expect(JSON.parse(stdout)).toEqual({ pc: [user, user, user], rc: [user, user, user] });
  });
});

describe('Redshift wire endpoint: TLS handshakes gone wrong stay with their connection', () => {
  /** Opens a connection, sends SSLRequest and resolves once the server has answered `S`. */
  async function upgraded(): Promise<Socket> {
    const socket = await open();
    const answer = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.write(sslRequest());
    expect((await answer).toString('latin1')).toBe('S');
    return socket;
  }

  async function tlsQuery(sql: string): Promise<unknown> {
    const client = new pg.Client({
      connectionString: wireUrl(db.url, wire),
      ssl: { ca: await readFile(wire.tls?.caFile ?? '', 'utf8'), servername: 'localhost' },
    });
    await client.connect();
    try {
      return (await client.query(sql)).rows[0];
    } finally {
      await client.end();
    }
  }

  it('answers SSLRequest with S and serves a client that verifies the local CA (node-postgres)', async () => {
    expect(await tlsQuery('select 5 as five')).toEqual({ five: 5 });
  });

  it('drops a client that sends garbage instead of a TLS ClientHello, one that hangs up mid-handshake, and one that sends bytes with its SSLRequest', async () => {
    const before = process.memoryUsage().rss;
    const garbage = async () => {
      const socket = await upgraded();
      const closed = closedByServer(socket);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await closed;
    };
    const hangUp = async () => {
      const socket = await upgraded();
      const closed = closedByServer(socket);
      // A handshake record announcing 512 bytes, of which 8 arrive before the client leaves.
      socket.end(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x00, 0x00]));
      await closed;
    };
    const early = async () => {
      const socket = await open();
      const closed = closedByServer(socket);
      let answered = '';
      socket.on('data', (chunk: Buffer) => {
        answered += chunk.toString('latin1');
      });
      // Bytes that follow the SSLRequest in the same packet would be read as if they came over TLS.
      socket.write(Buffer.concat([sslRequest(), Buffer.from('Q\0\0\0\x0dselect 1\0')]));
      await closed;
      expect(answered).toBe('');
    };
    for (let round = 0; round < 5; round++) {
      await Promise.all([
        ...Array.from({ length: 10 }, garbage),
        ...Array.from({ length: 10 }, hangUp),
        ...Array.from({ length: 10 }, early),
        tlsQuery('select 6 as six').then((row) => expect(row).toEqual({ six: 6 })),
        queryOne('select 7 as seven').then((row) => expect(row).toEqual({ seven: 7 })),
      ]);
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(await tlsQuery('select 8 as eight')).toEqual({ eight: 8 });
  });
});
