import {
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedshiftData } from '../../../../local/redshift/startRedshiftData.ts';
import { createRedshiftDataClient } from '../../../../src/aws/clients.ts';
import { createTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.ts';
import { executeAndWait, startTestRedshift, type TestRedshift } from '../../../helpers/testRedshift.ts';

describe('local Data API: result memory budget', () => {
  let rs: TestRedshift;
  beforeAll(async () => {
    // Room for one result of ~60 KB of text, not two.
    rs = await startTestRedshift({ resultMemoryBytes: 100_000 });
  });
  afterAll(async () => {
    await rs.stop();
  });

  it('drops the oldest results past the budget and says so', async () => {
    const sql = "select repeat('x', 60) from generate_series(1, 1000)";
    const first = await executeAndWait(rs, { Sql: sql });
    expect(first.ResultSize).toBe(60_000);
    const second = await executeAndWait(rs, { Sql: sql });
    const latest = await rs.client.send(new GetStatementResultCommand({ Id: second.Id }));
    expect(latest.TotalNumRows).toBe(1000);
    const expired = await rs.client.send(new GetStatementResultCommand({ Id: first.Id })).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(expired).toBeInstanceOf(ResourceNotFoundException);
    expect(expired?.message).toContain('has expired');
  });

  it('refuses a result over the per-statement limit with a FAILED status that says what to do', async () => {
    const small = await startTestRedshift({ maxResultBytes: 1000 });
    try {
      const d = await executeAndWait(small, { Sql: "select repeat('y', 100) from generate_series(1, 20)" });
      expect(d.Status).toBe('FAILED');
      expect(d.Error).toBe(
        'ERROR: Query result size 2000 bytes exceeds the Data API limit of 1000 bytes. UNLOAD large results to S3 instead.',
      );
    } finally {
      await small.stop();
    }
  });

  it('provides the remaining date and string helpers', async () => {
    const d = await executeAndWait(rs, {
      Sql: "select add_months('2008-01-31'::timestamp, 1), trunc('2008-03-04 05:06:07'::timestamp), charindex('z', 'abc')",
    });
    expect((await rs.client.send(new GetStatementResultCommand({ Id: d.Id }))).Records).toEqual([
      [{ stringValue: '2008-02-29 00:00:00' }, { stringValue: '2008-03-04' }, { longValue: 0 }],
    ]);
  });
});

describe('local Data API: shutdown', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('rs');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('stops promptly while a statement that never ends is running, and leaves no session behind', async () => {
    const server = await startRedshiftData({ databaseUrl: db.url });
    const client = createRedshiftDataClient({ region: 'us-east-1', endpoint: server.endpoint });
    await client.send(
      new ExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: db.name,
        Sql: 'select pg_sleep(600)',
      }),
    );
    client.destroy();
    await server.stop();
    const check = new pg.Client(db.url);
    await check.connect();
    try {
      const { rows } = await check.query(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = 'redshift-data-local'",
      );
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await check.end();
    }
  });
});
