import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { startRedshiftData } from '../../local/redshift/startRedshiftData.ts';
import { createRedshiftDataClient } from '../../src/aws/clients.ts';
import { createTestDatabase } from './testDatabase.ts';

export interface TestRedshift {
  /** Data API endpoint (`http://127.0.0.1:PORT`). */
  endpoint: string;
  /** A real RedshiftDataClient pointed at it (dummy credentials). */
  client: RedshiftDataClient;
  /** The PostgreSQL URL of the fresh database behind it (for direct checks with `pg`). */
  databaseUrl: string;
  /** Its name: pass it as `Database` (it is also the server's default database). */
  database: string;
  stop(): Promise<void>;
}

/**
 * A fresh database in the shared test cluster behind a local Data API server on a free port.
 * Pass `s3Endpoint` (from startTestS3) for UNLOAD/COPY. stop() stops the server and drops the
 * database.
 */
export async function startTestRedshift(
  opts: { s3Endpoint?: string; slices?: number } = {},
): Promise<TestRedshift> {
  const db = await createTestDatabase('rs');
  const server = await startRedshiftData({
    databaseUrl: db.url,
    defaultDatabase: db.name,
    ...(opts.s3Endpoint === undefined ? {} : { s3Endpoint: opts.s3Endpoint }),
    ...(opts.slices === undefined ? {} : { slices: opts.slices }),
  });
  const client = createRedshiftDataClient({ region: 'us-east-1', endpoint: server.endpoint });
  return {
    endpoint: server.endpoint,
    client,
    databaseUrl: db.url,
    database: db.name,
    stop: async () => {
      client.destroy();
      await server.stop();
      await db.drop();
    },
  };
}
