import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import { HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resetRuntime } from '../../../functions/_shared/runtime.ts';
import { seedTickit } from '../../../local/seed/seedTickit.ts';
import { DEFAULT_BUCKETS, type LocalStack, startLocalStack } from '../../../local/stack.ts';
import { createRedshiftDataClient, createS3Client } from '../../../src/aws/clients.ts';
import { executeAndWait, type TestRedshift } from '../../helpers/testRedshift.ts';

describe('startLocalStack (private PostgreSQL cluster)', () => {
  let stack: LocalStack;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rt-stack-'));
    stack = await startLocalStack({ dataDir, slices: 2, onEnvChange: resetRuntime });
  });
  afterAll(async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers on every endpoint, with the default database and buckets', async () => {
    const url = expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.endpoints).toMatchObject({ region: 'us-east-1', s3: url, redshiftData: url });
    expect(stack.database).toBe('dev');
    expect(stack.env()).toMatchObject({
      AWS_REGION: 'us-east-1',
      RT_ENDPOINT_S3: stack.endpoints.s3,
      RT_ENDPOINT_REDSHIFT_DATA: stack.endpoints.redshiftData,
      RT_STATE_BUCKET: 'rt-state',
    });
    const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.endpoints.s3 });
    try {
      const { Buckets } = await s3.send(new ListBucketsCommand({}));
      expect(Buckets?.map((b) => b.Name).sort()).toEqual([...DEFAULT_BUCKETS].sort());
      await s3.send(new HeadBucketCommand({ Bucket: 'rt-state' }));
    } finally {
      s3.destroy();
    }
    const client = createRedshiftDataClient({ region: 'us-east-1', endpoint: stack.endpoints.redshiftData });
    try {
      const rs = { client, database: 'dev' } as TestRedshift;
      const d = await executeAndWait(rs, { Sql: 'select current_database()', Database: undefined });
      expect(d).toMatchObject({ Status: 'FINISHED', Database: 'dev' });
      expect((await client.send(new GetStatementResultCommand({ Id: d.Id }))).Records).toEqual([
        [{ stringValue: 'dev' }],
      ]);
    } finally {
      client.destroy();
    }
  });

  it('seeds a deterministic TICKIT sample through the Data API', async () => {
    const result = await seedTickit(stack.endpoints.redshiftData, { scale: 0.02 });
    expect(result.sizes).toEqual({
      users: 100,
      venue: 202,
      category: 11,
      date: 365,
      event: 18,
      listing: 400,
      sales: 2000,
    });
    const db = new pg.Client(stack.postgres.urlFor('dev'));
    await db.connect();
    try {
      const counts = await db.query(
        `select (select count(*) from users)::int as users, (select count(*) from venue)::int as venue,
                (select count(*) from category)::int as category, (select count(*) from date)::int as date,
                (select count(*) from event)::int as event, (select count(*) from listing)::int as listing,
                (select count(*) from sales)::int as sales`,
      );
      expect(counts.rows[0]).toEqual(result.sizes);
      // Every sale agrees with its listing, event and date.
      const orphans = await db.query(
        `select count(*)::int as n from sales s
           left join listing l on l.listid = s.listid and l.sellerid = s.sellerid and l.eventid = s.eventid and l.dateid = s.dateid
           left join event e on e.eventid = s.eventid and e.dateid = s.dateid
           left join date d on d.dateid = s.dateid
           left join users u on u.userid = s.buyerid
          where l.listid is null or e.eventid is null or d.dateid is null or u.userid is null
             or s.pricepaid <> l.priceperticket * s.qtysold`,
      );
      expect(orphans.rows[0].n).toBe(0);
      const digest = async () =>
        (await db.query("select md5(string_agg(s::text, '|' order by salesid)) as h from sales s")).rows[0]
          .h as string;
      const before = await digest();
      await seedTickit(stack.endpoints.redshiftData, { scale: 0.02 });
      expect(await digest()).toBe(before);
    } finally {
      await db.end();
    }
  });
});

describe('startLocalStack (engine url: an existing PostgreSQL)', () => {
  it('uses the given cluster, creates the database, and stops cleanly', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rt-stack-url-'));
    const database = `stack_${Date.now().toString(36)}`;
    const stack = await startLocalStack({
      onEnvChange: resetRuntime,
      engine: 'url',
      databaseUrl: inject('pgUrl'),
      dataDir,
      database,
      buckets: ['only-one'],
    });
    try {
      expect(stack.postgres.engine).toBe('url');
      const client = createRedshiftDataClient({
        region: 'us-east-1',
        endpoint: stack.endpoints.redshiftData,
      });
      const rs = { client, database } as TestRedshift;
      expect(await executeAndWait(rs, { Sql: 'create table t (a int) distkey(a)' })).toMatchObject({
        Status: 'FINISHED',
      });
      client.destroy();
    } finally {
      await stack.stop();
      const admin = new pg.Client(inject('pgUrl'));
      await admin.connect();
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
      await rm(dataDir, { recursive: true, force: true });
    }
    // Stopped: the Data API no longer answers.
    await expect(fetch(stack.endpoints.redshiftData, { method: 'POST' })).rejects.toThrow();
  });

  it('refuses engine url without a URL', async () => {
    await expect(startLocalStack({ engine: 'url', dataDir: tmpdir() })).rejects.toThrow(
      'engine "url" needs a database URL',
    );
  });
});
