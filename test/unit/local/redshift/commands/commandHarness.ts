import type { S3Client } from '@aws-sdk/client-s3';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { SYSTEM_TABLES_DDL } from '../../../../../local/redshift/commands/index.ts';
import type { CommandContext } from '../../../../../local/redshift/commands/types.ts';
import { createS3Client } from '../../../../../src/aws/clients.ts';
import type { TestDatabase } from '../../../../helpers/testDatabase.ts';
import { createTestDatabase } from '../../../../helpers/testDatabase.ts';
import type { TestS3 } from '../../../../helpers/testS3.ts';
import { startTestS3 } from '../../../../helpers/testS3.ts';

/**
 * A real database + real local S3 and a hand-built CommandContext, the way the Data API server
 * builds one: the session's client, and an autonomous connection for the system tables.
 */
export interface CommandHarness {
  db: TestDatabase;
  s3: TestS3;
  client: pg.Client;
  ctx(overrides?: Partial<CommandContext>): CommandContext;
  put(bucket: string, key: string, body: string | Uint8Array): Promise<void>;
  get(bucket: string, key: string): Promise<Buffer>;
  keys(bucket: string, prefix?: string): Promise<string[]>;
  bucket(name: string): Promise<void>;
  /**
   * A new client of the local S3 whose every call first runs `before` with the command's name and
   * input (to count reads, or cancel or fail a command at a chosen call); the caller destroys it.
   */
  s3Watching(before: (command: string, input: Record<string, unknown>) => void): S3Client;
  close(): Promise<void>;
}

let queryId = 1000;

export async function startHarness(): Promise<CommandHarness> {
  const [db, s3] = await Promise.all([createTestDatabase('cmd'), startTestS3()]);
  const client = new pg.Client(db.url);
  const auto = new pg.Client(db.url);
  await Promise.all([client.connect(), auto.connect()]);
  for (const ddl of SYSTEM_TABLES_DDL) await client.query(ddl);
  const s3c: S3Client = s3.client;
  return {
    db,
    s3,
    client,
    ctx: (overrides) => ({
      client,
      autonomous: async (sql, params) => {
        await auto.query(sql, params);
      },
      s3: s3c,
      slices: 4,
      queryId: ++queryId,
      sessionId: 4242,
      database: db.name,
      user: 'awsuser',
      signal: new AbortController().signal,
      ...overrides,
    }),
    put: async (bucket, key, body) => {
      await s3c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    get: (bucket, key) => s3.getBytes(bucket, key),
    keys: async (bucket, prefix) => {
      const res = await s3c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (res.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    bucket: async (name) => {
      await s3c.send(new CreateBucketCommand({ Bucket: name }));
    },
    s3Watching: (before) => {
      const watched = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
      watched.middlewareStack.add(
        (next, context) => async (args) => {
          before(context.commandName ?? '', args.input as Record<string, unknown>);
          return next(args);
        },
        { step: 'initialize' },
      );
      return watched;
    },
    close: async () => {
      await Promise.allSettled([client.end(), auto.end()]);
      await Promise.allSettled([s3.stop(), db.drop()]);
    },
  };
}
