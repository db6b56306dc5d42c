import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { createS3Client } from '../../src/aws/clients.ts';
import { SYSTEM_TABLES_DDL } from '../redshift/commands/index.ts';
import { DatabasePools } from '../redshift/engine/databasePools.ts';
import { loadSqlParser } from '../redshift/sql/translateRedshiftSql.ts';
import { serveWireConnection, type WireEndpoint } from './serveWireConnection.ts';
import { ensureWireCertificate, type WireCertificate } from './wireCertificate.ts';

export interface RedshiftWireOptions {
  /** The PostgreSQL engine behind the local Redshift (any database of it: the client names one). */
  databaseUrl: string;
  /** The local S3 that UNLOAD writes to and COPY reads from. */
  s3Endpoint: string;
  region?: string;
  slices?: number;
  port?: number;
  /**
   * Where the TLS certificate is kept (made at first start): SSLRequest is then answered `S` and
   * the connection upgraded. Without it the endpoint answers `N` and speaks plain text only.
   */
  tlsDir?: string;
}

export interface RedshiftWire {
  host: string;
  port: number;
  /**
   * `jdbc:redshift://127.0.0.1:<port>/<database>`, with `?ssl=false` when the endpoint has no
   * certificate.
   */
  jdbcUrl(database: string): string;
  /** The certificate files when TLS is on: `caFile` is what clients are told to trust. */
  tls?: WireCertificate | undefined;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL-wire endpoint for the local Redshift that drivers (the Redshift JDBC driver,
 * redshift_connector, psycopg2...) connect to, over TLS when `tlsDir` is given: it relays
 * everything to the PostgreSQL engine as the connecting user (a role created on demand), minus the
 * Redshift driver's extra startup parameters, with Redshift SQL translated, and answers UNLOAD and
 * COPY itself with the emulator (wireCommands).
 */
export async function startRedshiftWire(options: RedshiftWireOptions): Promise<RedshiftWire> {
  const s3 = createS3Client({ region: options.region ?? 'us-east-1', endpoint: options.s3Endpoint });
  const sockets = new Set<Socket>();
  /** Each connection's service, settled once the connection and its side connections are closed. */
  const served = new Set<Promise<void>>();
  // Installs the compat functions and system tables in a database on its first connection, as the
  // Data API does, so that translated SQL (getdate(), len...) finds them.
  const pools = new DatabasePools({
    baseUrl: options.databaseUrl,
    poolSize: 1,
    bootstrapDdl: async () => SYSTEM_TABLES_DDL,
  });
  await loadSqlParser();
  const certificate = options.tlsDir === undefined ? undefined : await ensureWireCertificate(options.tlsDir);
  let queryIds = 1_000_000;
  const endpoint: WireEndpoint = {
    databaseUrl: options.databaseUrl,
    pools,
    secureContext:
      certificate === undefined
        ? undefined
        : createSecureContext({ key: certificate.key, cert: certificate.cert }),
    s3,
    slices: options.slices ?? 2,
    nextQueryId: () => queryIds++,
    terminateBackend: async (pid) => {
      // PostgreSQL 14+: waits (up to the timeout) until the backend is gone.
      await pools.adminPool().query('SELECT pg_terminate_backend($1, 60000)', [pid]);
    },
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    const serving = serveWireConnection(client, endpoint).catch(() => {});
    served.add(serving);
    void serving.then(() => served.delete(serving));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      void pools.end();
      reject(error);
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    jdbcUrl: (database) =>
      `jdbc:redshift://127.0.0.1:${port}/${database}${certificate === undefined ? '?ssl=false' : ''}`,
    tls: certificate,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Before the pools: a connection's closing may still use them (its last history rows).
      await Promise.all(served);
      await pools.end();
      s3.destroy();
    },
  };
}
