import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AddJobFlowStepsCommand, type EMRClient } from '@aws-sdk/client-emr';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEmr, startLocalEmr } from '../../local/emr/startLocalEmr.ts';
import { type RedshiftWire, startRedshiftWire } from '../../local/jdbc/startRedshiftWire.ts';
import { createEmrClient } from '../../src/aws/clients.ts';
import { buildSparkStepRequest } from '../../src/emr/buildSparkStepRequest.ts';
import { sparkStepSchema } from '../../src/job/sparkStep.ts';
import { localSparkFor } from '../helpers/localSpark.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { startTestS3, type TestS3 } from '../helpers/testS3.ts';

/**
 * The Redshift JDBC driver (the jar EMR ships as RedshiftJDBC42.jar) against the local Redshift's
 * PostgreSQL-wire endpoint: Spark's JDBC source reads through it, and UNLOAD sent over JDBC is
 * executed by the emulator.
 */

const spark = localSparkFor('test/e2e/sparkJdbc.test.ts');

let s3: TestS3;
let db: TestDatabase;
let wire: RedshiftWire;
let emr: LocalEmr;
let emrClient: EMRClient;

describe.skipIf(!spark.ok)('Redshift JDBC driver through the local wire endpoint', () => {
  beforeAll(async () => {
    s3 = await startTestS3();
    for (const Bucket of ['rt-scripts', 'rt-out']) await s3.client.send(new CreateBucketCommand({ Bucket }));
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'rt-scripts',
        Key: 'redshift.py',
        Body: await readFile('spark/redshift.py'),
      }),
    );
    db = await createTestDatabase('jdbc');
    const client = new pg.Client(db.url);
    await client.connect();
    await client.query('create table orders (id int, region varchar(10), amount numeric(10,2))');
    await client.query(
      "insert into orders select i, (array['eu','us','apac'])[1 + i % 3], (i % 10) + 0.5 from generate_series(1, 300) i",
    );
    await client.end();
    wire = await startRedshiftWire({ databaseUrl: db.url, s3Endpoint: s3.endpoint });
    emr = await startLocalEmr({ s3Endpoint: s3.endpoint, logBucket: 'rt-emr-logs' });
    emrClient = createEmrClient({ region: 'us-east-1', endpoint: emr.endpoint });
  }, 120_000);

  afterAll(async () => {
    emrClient?.destroy();
    await emr?.stop();
    await wire?.stop();
    await db?.drop();
    await s3?.stop();
  });

  it('reads with --source jdbc over jdbc:redshift:// in a real Spark step and writes the aggregate to S3 and back over JDBC', async () => {
    const url = wire.jdbcUrl(db.name);
    const request = buildSparkStepRequest({
      spark: sparkStepSchema.parse({
        clusterId: 'j-LOCAL',
        script: 's3://rt-scripts/redshift.py',
        args: [
          '--source',
          'jdbc',
          '--url',
          url,
          '--user',
          'postgres',
          '--query',
          'select region, amount from orders',
          '--sql',
          'SELECT region, CAST(count(*) AS INT) AS n, CAST(sum(amount) AS STRING) AS total FROM input GROUP BY region',
          '--output',
          's3://rt-out/jdbc/',
          '--target-table',
          'public.orders_by_region',
          '--write-method',
          'jdbc',
          '--coalesce',
          '1',
        ],
      }),
      runId: 'jdbc-r1',
    });
    const stepId = (await emrClient.send(new AddJobFlowStepsCommand(request))).StepIds?.[0] as string;
    const step = await emr.waitForStep(stepId);
    expect(step.state, JSON.stringify(step.failureDetails)).toBe('COMPLETED');

    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'rt-out', Prefix: 'jdbc/' }));
    const files = (listed.Contents ?? []).map((o) => o.Key as string).filter((k) => k.endsWith('.parquet'));
    expect(files).toHaveLength(1);
    const parquet = await s3.getBytes('rt-out', files[0] as string);
    const rows = await parquetReadObjects({
      file: parquet.buffer.slice(parquet.byteOffset, parquet.byteOffset + parquet.byteLength) as ArrayBuffer,
    });
    const client = new pg.Client(db.url);
    await client.connect();
    const expected = await client.query(
      'select region, count(*)::int as n, sum(amount)::text as total from orders group by region order by region',
    );
    await client.end();
    expect(
      rows
        .map((r) => ({ region: r.region, n: Number(r.n), total: r.total }))
        .sort((a, b) => String(a.region).localeCompare(String(b.region))),
    ).toEqual(expected.rows);
    // ...and wrote the same aggregate back through JDBC (CREATE TABLE + batched INSERTs over the wire)
    const written = new pg.Client(db.url);
    await written.connect();
    const back = await written.query('select region, n, total from public.orders_by_region order by region');
    await written.end();
    expect(back.rows).toEqual(expected.rows);
  }, 240_000);

  it('runs UNLOAD sent over JDBC with the emulator and answers plain SQL from the engine', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rt-jdbc-'));
    try {
      await s3.client.send(new CreateBucketCommand({ Bucket: 'rt-unload' }));
      const source = `import java.sql.*;
public class UnloadOverJdbc {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection(a[0], "postgres", "")) {
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select count(*) from orders")) { r.next(); System.out.println("count=" + r.getInt(1)); }
      try (PreparedStatement p = c.prepareStatement("select region from orders where id = ?")) { p.setInt(1, 3); ResultSet r = p.executeQuery(); r.next(); System.out.println("region=" + r.getString(1)); }
      try (Statement s = c.createStatement()) {
        s.execute("UNLOAD ('select id, region from orders where id <= 3 order by id') TO 's3://rt-unload/orders/o_' IAM_ROLE 'arn:aws:iam::123456789012:role/R' FORMAT CSV PARALLEL OFF");
        System.out.println("unload=ok");
      }
      try (Statement s = c.createStatement()) {
        s.execute("UNLOAD ('select * from no_such_table') TO 's3://rt-unload/bad/' IAM_ROLE 'arn:aws:iam::123456789012:role/R'");
      } catch (SQLException e) { System.out.println("error=" + e.getMessage().split("\\n")[0]); }
    }
  }
}
`;
      await writeFile(join(dir, 'UnloadOverJdbc.java'), source);
      const jar = (spark.ok && spark.install.redshiftJdbcJar) as string;
      const { stdout } = await promisify(execFile)(
        'java',
        ['-cp', jar, join(dir, 'UnloadOverJdbc.java'), wire.jdbcUrl(db.name)],
        {
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      const lines = stdout.trim().split('\n');
      expect(lines.slice(0, 3)).toEqual(['count=300', 'region=eu', 'unload=ok']);
      expect(lines[3]).toMatch(/^error=ERROR: relation "no_such_table" does not exist/);
      expect((await s3.getBytes('rt-unload', 'orders/o_000')).toString('utf8')).toBe('1,us\n2,apac\n3,eu\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
