import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { createRedshiftDataClient } from '../../src/aws/clients.ts';
import { SESSION_OPTIONS } from '../redshift/engine/databasePools.ts';
import { joinTokens, tokenize } from '../redshift/sql/tokenize.ts';
import { translateRedshiftSql } from '../redshift/sql/translateRedshiftSql.ts';
import {
  DEFAULT_SCALE,
  TICKIT_DDL,
  TICKIT_TABLES,
  type TickitSizes,
  tickitInserts,
  tickitSizes,
} from './tickitSql.ts';

export interface SeedTickitOptions {
  /** Size multiplier: 10 (default) = 1,000,000 sales. */
  scale?: number;
  /** Database to seed (Data API `Database`); default `dev`. */
  database?: string;
  /** Cluster identifier sent with the statements; default `local`. */
  clusterIdentifier?: string;
  /** How long to wait for the load; default 10 minutes. */
  timeoutMs?: number;
}

export interface SeedResult {
  database: string;
  sizes: TickitSizes;
  ms: number;
}

/** Every statement of the seed, in order: drop, Redshift DDL, deterministic inserts, ANALYZE. */
export function seedStatements(sizes: TickitSizes): string[] {
  return [
    ...TICKIT_TABLES.map((t) => `drop table if exists ${t}`),
    ...TICKIT_DDL,
    ...tickitInserts(sizes),
    'analyze',
  ];
}

/**
 * Loads the TICKIT-like sample (users, venue, category, date, event, listing, sales), replacing
 * those tables. `target` is a RedshiftDataClient, a Data API endpoint (`http://...`; the DDL then
 * goes through the server's Redshift rewriting, in one BatchExecuteStatement = one transaction),
 * or a PostgreSQL URL (`postgres://...`; the same rewriting applied here).
 */
export async function seedTickit(
  target: RedshiftDataClient | string,
  options: SeedTickitOptions = {},
): Promise<SeedResult> {
  const t0 = performance.now();
  const sizes = tickitSizes(options.scale ?? DEFAULT_SCALE);
  const database = options.database ?? 'dev';
  const statements = seedStatements(sizes);
  if (typeof target === 'string' && /^postgres(ql)?:\/\//.test(target)) {
    await seedOverPostgres(target, database, statements);
  } else {
    const client =
      typeof target === 'string'
        ? createRedshiftDataClient({ region: 'us-east-1', endpoint: target })
        : target;
    try {
      await seedOverDataApi(client, database, options, statements);
    } finally {
      if (typeof target === 'string') client.destroy();
    }
  }
  return { database, sizes, ms: performance.now() - t0 };
}

async function seedOverDataApi(
  client: RedshiftDataClient,
  database: string,
  options: SeedTickitOptions,
  statements: string[],
) {
  const { Id } = await client.send(
    new BatchExecuteStatementCommand({
      ClusterIdentifier: options.clusterIdentifier ?? 'local',
      Database: database,
      DbUser: 'awsuser',
      Sqls: statements,
      StatementName: 'seed-tickit',
    }),
  );
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    // Long polling: the call returns as soon as the batch ends (or after 20 s).
    const d = await client.send(new DescribeStatementCommand({ Id, WaitTimeSeconds: 20 }));
    if (d.Status === 'FINISHED') return;
    if (d.Status === 'FAILED' || d.Status === 'ABORTED') {
      const failed = d.SubStatements?.find((s) => s.Status === 'FAILED');
      throw new Error(
        `Seeding TICKIT failed (${d.Status}) at statement ${failed?.Id ?? Id}: ${d.Error ?? failed?.Error ?? 'aborted'}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(
        `Seeding TICKIT did not finish within ${options.timeoutMs ?? 600_000} ms (statement ${Id})`,
      );
  }
}

async function seedOverPostgres(url: string, database: string, statements: string[]) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  const client = new pg.Client({ connectionString: u.toString(), options: SESSION_OPTIONS });
  // A connection the engine ends (the stack stopped under the seed) fails the query that needs
  // it; pg also emits 'error', which without a listener would end the process.
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const sql of statements) {
      await client.query(joinTokens((await translateRedshiftSql(tokenize(sql))).tokens));
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

export { DEFAULT_SCALE, tickitSizes };
