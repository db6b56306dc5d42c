import { chmod, mkdir, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { createS3Client } from '../src/aws/clients.ts';
import type { Env } from '../src/config/env.ts';
import { ConfigError } from '../src/errors.ts';
import { startLocalEmr } from './emr/startLocalEmr.ts';
import type { RequestLog } from './http/startAwsJsonServer.ts';
import { startRedshiftWire } from './jdbc/startRedshiftWire.ts';
import { startPostgres } from './postgres/startPostgres.ts';
import { startRedshiftData } from './redshift/startRedshiftData.ts';
import { startS3 } from './s3/startS3.ts';
import { type LocalSfn, startLocalSfn } from './sfn/startLocalSfn.ts';

/** Where `local start` keeps its data when no --data-dir is given (gitignored). */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../.local', import.meta.url));
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_DATABASE = 'dev';
/** The cluster identifier / workgroup name the example jobs use; any other name is accepted too. */
export const DEFAULT_CLUSTER = 'local';
/**
 * Buckets created at start: run state (Distributed Map items and results, part lists), UNLOAD
 * staging, export destinations, load landing zone. The example jobs use these names.
 */
export const DEFAULT_BUCKETS = ['rt-state', 'rt-staging', 'rt-exports', 'rt-landing'] as const;
export const STATE_BUCKET = 'rt-state';
/** Where the handlers of a local stack append their CloudWatch embedded-metric lines (JSON Lines). */
export const METRICS_FILE = 'metrics.jsonl';

export type Engine = 'postgres' | 'url';

export interface LocalStackOptions {
  /** Called once the handlers' environment is written (functions/_shared/runtime.ts's resetRuntime). */
  onEnvChange?: () => void;
  /** `postgres` (default): a private native PostgreSQL cluster under dataDir; `url`: an existing one. */
  engine?: Engine;
  /** With engine `url`: a PostgreSQL URL (any database of the cluster; the user must be able to CREATE DATABASE). */
  databaseUrl?: string;
  /** Default `.local/` in the project. */
  dataDir?: string;
  region?: string;
  /** The default database, created when missing. */
  database?: string;
  /** Buckets created when missing. */
  buckets?: readonly string[];
  /** Simulated Redshift slices (UNLOAD PARALLEL). */
  slices?: number;
  /** Multiplies the state machines' Wait states (default 0.1; 0 in tests). */
  waitScale?: number;
  /** Log level of the handlers the local Step Functions runs; default WARN (JSON lines would bury a CLI's output). */
  logLevel?: Env['RT_LOG_LEVEL'];
  /** Called after every Data API request (operation, HTTP status, time, error). */
  onRedshiftDataRequest?: RequestLog;
  /** Fixed ports (0 or absent: free ports). */
  ports?: { s3?: number; redshiftData?: number; postgres?: number };
}

export interface LocalEndpoints {
  region: string;
  s3: string;
  redshiftData: string;
  sfn?: string;
  emr?: string;
  /** JDBC URL of the PostgreSQL-wire endpoint (TLS with the data dir's wire-tls/ca.pem; UNLOAD/COPY emulated). */
  redshiftJdbc?: string;
}

export interface LocalStack {
  endpoints: LocalEndpoints;
  /** The default database (Data API `Database`). */
  database: string;
  buckets: readonly string[];
  stateBucket: string;
  dataDir: string;
  postgres: { engine: Engine; url: string; urlFor(database: string): string };
  /** The local Step Functions (executions, `whenDone(executionArn)` for tests). */
  sfn: LocalSfn;
  /** The environment that points this project's code (readEnv) at the stack. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** A started piece of the stack; pieces stop in reverse order. */
type Stop = () => Promise<void>;

/**
 * Starts the local stack: PostgreSQL (private cluster or given URL), S3, the Redshift Data API
 * over them; creates the default database and buckets. Every server listens on loopback; stop()
 * stops them all, in reverse order, even when one fails.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const region = options.region ?? DEFAULT_REGION;
  const database = options.database ?? DEFAULT_DATABASE;
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const engine = options.engine ?? 'postgres';
  await mkdir(dataDir, { recursive: true });
  await letServerUserIn(dataDir);

  const stops: Stop[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'the local stack did not stop cleanly');
  };

  try {
    // 1. PostgreSQL: the engine behind the Data API.
    let postgres: LocalStack['postgres'];
    if (engine === 'url') {
      if (!options.databaseUrl)
        throw new ConfigError('engine "url" needs a database URL (--database-url postgres://...)');
      const base = options.databaseUrl;
      const urlFor = (db: string) => {
        const u = new URL(base);
        u.pathname = `/${encodeURIComponent(db)}`;
        return u.toString();
      };
      postgres = { engine, url: base, urlFor };
    } else {
      const pgServer = await startPostgres({
        dataDir: join(dataDir, 'postgres'),
        ...(options.ports?.postgres ? { port: options.ports.postgres } : {}),
      });
      stops.push(() => pgServer.stop());
      postgres = { engine, url: pgServer.url, urlFor: pgServer.urlFor };
    }
    await ensureDatabase(postgres.url, database);

    // 2. S3 and the default buckets.
    const s3 = await startS3({ dataDir: join(dataDir, 's3'), port: options.ports?.s3 ?? 0 });
    stops.push(() => s3.stop());
    await ensureBuckets(s3.endpoint, region, buckets);

    // 3. The Redshift Data API.
    const redshiftData = await startRedshiftData({
      databaseUrl: postgres.urlFor(database),
      defaultDatabase: database,
      s3Endpoint: s3.endpoint,
      region,
      ...(options.slices === undefined ? {} : { slices: options.slices }),
      ...(options.ports?.redshiftData ? { port: options.ports.redshiftData } : {}),
      ...(options.onRedshiftDataRequest ? { onRequest: options.onRedshiftDataRequest } : {}),
    });
    stops.push(() => redshiftData.stop());

    const endpoints: LocalEndpoints = { region, s3: s3.endpoint, redshiftData: redshiftData.endpoint };

    // 4. EMR, then Step Functions: each pushes its stop() and sets its endpoint.
    // EMR cluster j-LOCAL: steps run spark-submit on spark/.venv's PySpark (bash spark/setup.sh),
    // s3:// served from this S3; step logs under s3://rt-state/emr-logs/ (docs/spark.md).
    const emr = await startLocalEmr({
      region,
      s3Endpoint: s3.endpoint,
      logUri: `s3://${STATE_BUCKET}/emr-logs/`,
      workRoot: dataDir,
    });
    stops.push(() => emr.stop());
    endpoints.emr = emr.endpoint;
    // JDBC clients (Spark's JDBC source, SQL tools) reach the same engine here; user postgres.
    // TLS with a certificate made at first start under the data dir (clients trust wire-tls/ca.pem).
    const wire = await startRedshiftWire({
      databaseUrl: postgres.url,
      s3Endpoint: s3.endpoint,
      region,
      tlsDir: join(dataDir, 'wire-tls'),
    });
    stops.push(() => wire.stop());
    endpoints.redshiftJdbc = wire.jdbcUrl(database);

    // Step Functions last: its handlers get every endpoint above (docs/local-runner.md).
    const sfn = await startLocalSfn({
      region,
      env: {
        ...stackEnv(endpoints),
        RT_LOG_LEVEL: options.logLevel ?? 'WARN',
        // The handlers' embedded-metric lines (functions/_shared/metrics.ts), kept off the CLI's stdout.
        RT_METRICS_FILE: join(dataDir, METRICS_FILE),
      },
      substitutions: { stateBucket: STATE_BUCKET },
      waitScale: options.waitScale ?? 0.1,
      ...(options.onEnvChange !== undefined ? { onEnvChange: options.onEnvChange } : {}),
    });
    stops.push(() => sfn.stop());
    endpoints.sfn = sfn.endpoint;

    let stopping: Promise<void> | undefined;
    return {
      endpoints,
      database,
      buckets,
      stateBucket: STATE_BUCKET,
      dataDir,
      postgres,
      sfn,
      env: () => stackEnv(endpoints),
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user (startPostgres), which must be able to reach
 * its cluster under dataDir: a directory made by mkdtemp (0700) would lock it out.
 */
async function letServerUserIn(dataDir: string): Promise<void> {
  if (userInfo().uid !== 0) return;
  const { mode } = await stat(dataDir);
  if ((mode & 0o001) === 0) await chmod(dataDir, (mode & 0o777) | 0o711);
}

/** RT_* variables (src/config/env.ts) pointing the project's clients at the stack. */
export function stackEnv(endpoints: LocalEndpoints): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: endpoints.region,
    RT_ENDPOINT_S3: endpoints.s3,
    RT_ENDPOINT_REDSHIFT_DATA: endpoints.redshiftData,
    RT_STATE_BUCKET: STATE_BUCKET,
  };
  if (endpoints.sfn) env.RT_ENDPOINT_SFN = endpoints.sfn;
  if (endpoints.emr) env.RT_ENDPOINT_EMR = endpoints.emr;
  return env;
}

/** Creates `database` in the cluster of `url` unless it exists. */
export async function ensureDatabase(url: string, database: string): Promise<void> {
  const client = new pg.Client(url);
  client.on('error', () => {}); // An ended connection fails the query; the event alone must not end the process.
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      } catch (error) {
        // Another process may have created it in between.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

async function ensureBuckets(endpoint: string, region: string, buckets: readonly string[]): Promise<void> {
  const s3 = createS3Client({ region, endpoint });
  try {
    for (const Bucket of buckets) {
      try {
        await s3.send(new HeadBucketCommand({ Bucket }));
      } catch {
        await s3.send(new CreateBucketCommand({ Bucket }));
      }
    }
  } finally {
    s3.destroy();
  }
}
