import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedshiftWire, startRedshiftWire } from '../../../../local/jdbc/startRedshiftWire.ts';
import { localSparkFor } from '../../../helpers/localSpark.ts';
import { testPythonFor } from '../../../helpers/pythonEnv.ts';
import { createTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.ts';
import { startTestS3, type TestS3 } from '../../../helpers/testS3.ts';

/**
 * Real drivers with their default SSL settings against the wire endpoint with TLS on: each runs
 * SELECT, DDL with Redshift clauses, COPY and UNLOAD over TLS.
 */

const run = promisify(execFile);
const py = testPythonFor('test/unit/local/jdbc/wireClientsTls.test.ts');
const spark = localSparkFor('test/unit/local/jdbc/wireClientsTls.test.ts');
const ROLE = 'arn:aws:iam::123456789012:role/R';

let db: TestDatabase;
let s3: TestS3;
let wire: RedshiftWire;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('wiretls');
  s3 = await startTestS3();
  dir = await mkdtemp(join(tmpdir(), 'rt-wire-clients-'));
  wire = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint, tlsDir: join(dir, 'tls') });
  for (const Bucket of ['wire-in', 'wire-out']) await s3.client.send(new CreateBucketCommand({ Bucket }));
  await s3.client.send(
    new PutObjectCommand({ Bucket: 'wire-in', Key: 'rows.csv', Body: '1,alpha\n2,beta\n3,gamma\n' }),
  );
}, 60_000);

afterAll(async () => {
  await wire?.stop();
  await s3?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** The statements every client runs, for its own table `t` and UNLOAD prefix `p`. */
function statements(t: string, p: string): string[] {
  return [
    `create table ${t} (id int encode az64 distkey, name varchar(max) encode zstd) diststyle key sortkey(id)`,
    `copy ${t} from 's3://wire-in/rows.csv' iam_role '${ROLE}' format csv`,
    `unload ('select id, upper(name) from ${t} order by id') to 's3://wire-out/${p}/u_' iam_role '${ROLE}' format csv parallel off`,
  ];
}

async function engineRows(table: string): Promise<unknown[]> {
  const c = new pg.Client(db.url);
  await c.connect();
  try {
    return (await c.query(`select id, name from ${table} order by id`)).rows;
  } finally {
    await c.end();
  }
}

const LOADED = [
  { id: 1, name: 'alpha' },
  { id: 2, name: 'beta' },
  { id: 3, name: 'gamma' },
];
const UNLOADED = '1,ALPHA\n2,BETA\n3,GAMMA\n';

describe.skipIf(!py.ok)('wire TLS through Python drivers with their defaults', () => {
  const python = py.ok ? py.python : '';

  it('psycopg2 with its default sslmode (prefer) speaks TLS; verify-full against the local CA passes', async () => {
    const script = `
import json, sys
import psycopg2
host, port, database, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
stmts = json.loads(sys.argv[5])
pc = psycopg2.connect(host=host, port=port, dbname=database, user="awsuser", password="x")
pc.autocommit = True
cur = pc.cursor()
default_tls = pc.info.ssl_in_use
for s in stmts: cur.execute(s)
cur.execute("select count(*), nvl(max(name), 'none') from psy_t")
row = list(cur.fetchone())
pc.close()
full = psycopg2.connect(host=host, port=port, dbname=database, user="awsuser", password="x", sslmode="verify-full", sslrootcert=ca)
verified = full.info.ssl_in_use
full.close()
print(json.dumps({"defaultTls": default_tls, "verified": verified, "row": row}))
`;
    const { stdout } = await run(
      python,
      [
        '-c',
        script,
        wire.host,
        String(wire.port),
        db.name,
        wire.tls?.caFile ?? '',
        JSON.stringify(statements('psy_t', 'psy')),
      ],
      { env: { PATH: process.env.PATH, HOME: dir } },
    );
    expect(JSON.parse(stdout)).toEqual({ defaultTls: true, verified: true, row: [3, 'gamma'] });
    expect(await engineRows('psy_t')).toEqual(LOADED);
    expect((await s3.getBytes('wire-out', 'psy/u_000')).toString('utf8')).toBe(UNLOADED);
  });

  it('redshift_connector with its defaults (ssl=True, sslmode verify) trusts the local CA through SSL_CERT_FILE, and refuses without it', async () => {
    const script = `
import json, sys
import redshift_connector
host, port, database = sys.argv[1], int(sys.argv[2]), sys.argv[3]
stmts = json.loads(sys.argv[4])
try:
    rc = redshift_connector.connect(host=host, port=port, database=database, user="awsuser", password="x")
except Exception as e:
    print(json.dumps({"refused": str(e)[:300]}))
    sys.exit(0)
rc.autocommit = True
cur = rc.cursor()
tls = rc._usock.version()
for s in stmts: cur.execute(s)
cur.execute("select count(*), nvl(max(name), 'none') from rc_t")
row = list(cur.fetchone())
rc.close()
print(json.dumps({"tls": tls, "row": row}))
`;
    const args = [
      '-c',
      script,
      wire.host,
      String(wire.port),
      db.name,
      JSON.stringify(statements('rc_t', 'rc')),
    ];
    const untrusted = await run(python, args, { env: { PATH: process.env.PATH, HOME: dir } });
    expect(JSON.parse(untrusted.stdout).refused).toMatch(
      /CERTIFICATE_VERIFY_FAILED|certificate verify failed/,
    );
    const { stdout } = await run(python, args, {
      env: { PATH: process.env.PATH, HOME: dir, SSL_CERT_FILE: wire.tls?.caFile ?? '' },
    });
    const out = JSON.parse(stdout);
    expect(out.tls).toMatch(/^TLSv1\.[23]$/);
    expect(out.row).toEqual([3, 'gamma']);
    expect(await engineRows('rc_t')).toEqual(LOADED);
    expect((await s3.getBytes('wire-out', 'rc/u_000')).toString('utf8')).toBe(UNLOADED);
  });
});

describe.skipIf(!spark.ok)(
  'wire TLS through the Redshift JDBC driver with a URL carrying no properties',
  () => {
    it('connects over TLS trusting the local CA through the JVM trust store; refuses without it', async () => {
      const jar = (spark.ok && spark.install.redshiftJdbcJar) as string;
      const source = `import java.sql.*;
public class WireTls {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection(a[0], "awsuser", "x")) {
      try (Statement s = c.createStatement()) {
        for (int i = 1; i < a.length; i++) s.execute(a[i]);
        ResultSet r = s.executeQuery("select count(*), nvl(max(name), 'none') from jdbc_t");
        r.next();
        System.out.println("row=" + r.getInt(1) + "," + r.getString(2));
      }
    } catch (SQLException e) {
      System.out.println("refused=" + e.getMessage().split("\\\\n")[0]);
    }
  }
}
`;
      await writeFile(join(dir, 'WireTls.java'), source);
      const trustStore = join(dir, 'truststore.p12');
      await run('keytool', [
        '-importcert',
        '-noprompt',
        '-alias',
        'redshift-transfer-local',
        '-file',
        wire.tls?.caFile ?? '',
        '-keystore',
        trustStore,
        '-storetype',
        'PKCS12',
        '-storepass',
        'changeit',
      ]);
      const url = wire.jdbcUrl(db.name);
      expect(url).toBe(`jdbc:redshift://127.0.0.1:${wire.port}/${db.name}`);
      const java = (props: string[]) =>
        run('java', [...props, '-cp', jar, join(dir, 'WireTls.java'), url, ...statements('jdbc_t', 'jdbc')], {
          encoding: 'utf8',
          timeout: 120_000,
        });
      const untrusted = await java([]);
      expect(untrusted.stdout).toMatch(/^refused=.*(PKIX|certificate|SSL)/im);
      const { stdout } = await java([
        `-Djavax.net.ssl.trustStore=${trustStore}`,
        '-Djavax.net.ssl.trustStorePassword=changeit',
      ]);
      expect(stdout.trim()).toBe('row=3,gamma');
      expect(await engineRows('jdbc_t')).toEqual(LOADED);
      expect((await s3.getBytes('wire-out', 'jdbc/u_000')).toString('utf8')).toBe(UNLOADED);
    }, 240_000);
  },
);
