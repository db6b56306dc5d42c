import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.ts';
import { DatabasePools } from './engine/databasePools.ts';
import { loadRedshiftCommands } from './engine/redshiftCommands.ts';
import { handleRequest, type RequestLog } from './server/handleRequest.ts';
import { DataApiService } from './service/dataApiService.ts';

export interface StartRedshiftDataOptions {
  /**
   * URL of any database of the PostgreSQL cluster (`postgres://user@host:port/db`); the Data
   * API's `Database` picks the database of that name in the same cluster.
   */
  databaseUrl: string;
  /** Database of requests that name none; defaults to the database of `databaseUrl`. */
  defaultDatabase?: string;
  /** The local S3 endpoint UNLOAD and COPY read and write. */
  s3Endpoint?: string;
  region?: string;
  /** Simulated slices (UNLOAD PARALLEL ON writes at least one file per slice); default 4. */
  slices?: number;
  /** 0 (default) takes a free port. */
  port?: number;
  host?: string;
  /** Engine connections per database; default 10. */
  poolSize?: number;
  /** Approximate JSON bytes of one GetStatementResult page; default 4 MiB. */
  resultPageBytes?: number;
  /** Largest result of one statement; default 500 MB (the service's limit). */
  maxResultBytes?: number;
  /** Results kept in memory across statements before the oldest are dropped; default 2 GiB. */
  resultMemoryBytes?: number;
  /** Only these cluster identifiers / workgroup names are accepted, when given. */
  clusters?: readonly string[];
  workgroups?: readonly string[];
  /** Called after every request (operation, HTTP status, time, error). */
  onRequest?: RequestLog;
}

export interface RedshiftDataServer {
  /** `http://127.0.0.1:PORT`: the `endpoint` of a RedshiftDataClient. */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the local Redshift Data API: an HTTP server speaking the AWS JSON 1.1 protocol of
 * `@aws-sdk/client-redshift-data` over the given PostgreSQL cluster.
 */
export async function startRedshiftData(options: StartRedshiftDataOptions): Promise<RedshiftDataServer> {
  const commands = await loadRedshiftCommands();
  const pools = new DatabasePools({
    baseUrl: options.databaseUrl,
    poolSize: options.poolSize ?? 10,
    bootstrapDdl: async () => commands.systemTablesDdl,
  });
  const s3: S3Client | undefined =
    options.s3Endpoint === undefined
      ? undefined
      : createS3Client({ region: options.region ?? 'us-east-1', endpoint: options.s3Endpoint });
  const defaultDatabase =
    options.defaultDatabase ?? decodeURIComponent(new URL(options.databaseUrl).pathname.slice(1) || 'dev');
  const service = new DataApiService({
    pools,
    commands,
    defaultDatabase,
    s3,
    slices: options.slices ?? 4,
    resultPageBytes: options.resultPageBytes ?? 4 * 1024 * 1024,
    maxResultBytes: options.maxResultBytes ?? 500 * 1024 * 1024,
    resultMemoryBytes: options.resultMemoryBytes ?? 2 * 1024 * 1024 * 1024,
    retentionMs: 24 * 3600 * 1000,
    clusters: options.clusters,
    workgroups: options.workgroups,
  });

  const server = createServer((req, res) => {
    void handleRequest(service, req, res, options.onRequest);
  });
  // Long polls (WaitTimeSeconds up to 30 s) must not be cut by the default timeouts.
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    stop: () => {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await service.close();
        server.closeAllConnections();
        await closed;
        await pools.end();
        s3?.destroy();
      })();
      return stopping;
    },
  };
}
