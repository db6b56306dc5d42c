import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.ts';
import { type RequestLog, startAwsJsonServer } from '../http/startAwsJsonServer.ts';
import { DatabasePools } from './engine/databasePools.ts';
import { loadRedshiftCommands } from './engine/redshiftCommands.ts';
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

  const server = await startAwsJsonServer({
    targetPrefix: 'RedshiftData',
    jsonVersion: '1.1',
    // Larger than any valid request (a batch of 40 statements of 100 KB fits well within it).
    maxBodyBytes: 8 * 1024 * 1024,
    tooLargeAdvice: 'A statement may not exceed 100 KB.',
    dispatch: (operation, body) => service.call(operation, body),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
  });

  let stopping: Promise<void> | undefined;
  return {
    endpoint: server.endpoint,
    port: server.port,
    stop: () => {
      stopping ??= (async () => {
        // Pending long polls answer before the connections are cut.
        await server.close(() => service.close());
        await pools.end();
        s3?.destroy();
      })();
      return stopping;
    },
  };
}
