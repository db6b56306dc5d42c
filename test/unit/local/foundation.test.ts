import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/testDatabase.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';

describe('local S3', () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startTestS3();
  });
  afterAll(async () => {
    await s3.stop();
  });

  it('answers NoSuchBucket until the bucket is created, then stores and lists objects', async () => {
    await expect(
      s3.client.send(new ListObjectsV2Command({ Bucket: 'missing-bucket' })),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await s3.client.send(new CreateBucketCommand({ Bucket: 'landing' }));
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'landing', Key: 'in/a.csv', Body: 'id,name\n1,x\n' }),
    );
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'landing', Prefix: 'in/' }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([['in/a.csv', 12]]);
    const got = await s3.client.send(new GetObjectCommand({ Bucket: 'landing', Key: 'in/a.csv' }));
    expect(await got.Body?.transformToString()).toBe('id,name\n1,x\n');
  });

  it('pages a truncated listing (needs the legacy OpenSSL provider in the server process)', async () => {
    await s3.client.send(new CreateBucketCommand({ Bucket: 'many' }));
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        s3.client.send(
          new PutObjectCommand({ Bucket: 'many', Key: `k/${String(i).padStart(2, '0')}`, Body: 'x' }),
        ),
      ),
    );
    const first = await s3.client.send(new ListObjectsV2Command({ Bucket: 'many', MaxKeys: 5 }));
    expect(first.IsTruncated).toBe(true);
    const second = await s3.client.send(
      new ListObjectsV2Command({
        Bucket: 'many',
        MaxKeys: 100,
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.Contents?.map((o) => o.Key)[0]).toBe('k/05');
    expect(second.KeyCount).toBe(7);
  });
});

describe('shared PostgreSQL cluster', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('gives each test file its own database', async () => {
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string }>('select current_database() as db');
      expect(rows[0]?.db).toBe(db.name);
    } finally {
      await client.end();
    }
  });
});
