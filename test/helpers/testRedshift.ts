import {
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { type StartRedshiftDataOptions, startRedshiftData } from '../../local/redshift/startRedshiftData.ts';
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
 * Pass `s3Endpoint` (from startTestS3) for UNLOAD/COPY; other server options (slices,
 * resultPageBytes...) pass through. stop() stops the server and drops the database.
 */
export async function startTestRedshift(
  opts: Omit<StartRedshiftDataOptions, 'databaseUrl'> = {},
): Promise<TestRedshift> {
  const db = await createTestDatabase('rs');
  const server = await startRedshiftData({ defaultDatabase: db.name, ...opts, databaseUrl: db.url });
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

const TERMINAL = new Set(['FINISHED', 'FAILED', 'ABORTED']);

/** Long-polls DescribeStatement until the statement ends (bounded: 2 minutes). */
export async function waitForStatement(
  client: RedshiftDataClient,
  id: string,
): Promise<DescribeStatementCommandOutput> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const d = await client.send(new DescribeStatementCommand({ Id: id, WaitTimeSeconds: 30 }));
    if (TERMINAL.has(d.Status ?? '')) return d;
    if (Date.now() > deadline) throw new Error(`statement ${id} still ${d.Status} after 2 minutes`);
  }
}

/** ExecuteStatement (cluster `local`, the test database unless given) and wait for the end. */
export async function executeAndWait(
  rs: TestRedshift,
  input: Partial<ExecuteStatementCommandInput> & { Sql: string },
): Promise<DescribeStatementCommandOutput> {
  const { Id } = await rs.client.send(
    new ExecuteStatementCommand({ ClusterIdentifier: 'local', Database: rs.database, ...input }),
  );
  return waitForStatement(rs.client, Id as string);
}
