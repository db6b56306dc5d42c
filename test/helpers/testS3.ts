import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { startS3 } from '../../local/s3/startS3.ts';
import { createS3Client } from '../../src/aws/clients.ts';
import { getObjectBytes } from './s3Objects.ts';

export interface TestS3 {
  endpoint: string;
  client: S3Client;
  /** The whole body of `s3://bucket/key`. */
  getBytes(bucket: string, key: string): Promise<Buffer>;
  stop(): Promise<void>;
}

/** A local S3 server on a free port with a throwaway data directory; stop() removes both. */
export async function startTestS3(): Promise<TestS3> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rt-test-s3-'));
  const s3 = await startS3({ dataDir });
  const client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
  return {
    endpoint: s3.endpoint,
    client,
    getBytes: (bucket, key) => getObjectBytes(client, bucket, key),
    stop: async () => {
      client.destroy();
      await s3.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
