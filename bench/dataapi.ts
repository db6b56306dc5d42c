/**
 * The local Data API against PostgreSQL itself, on the same private cluster:
 *  1. small statements per second, through the Data API (ExecuteStatement + DescribeStatement
 *     long poll, the way a client waits) vs the same statements on `pg` directly;
 *  2. a 1M-row SELECT read back through GetStatementResult pages vs one direct `pg` query;
 *  3. peak RSS of this process (it hosts the server and the client).
 *
 * Run: `npx --no-install tsx bench/dataapi.ts [--rows 1000000] [--statements 300]`. Prints a table, exits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { createEnginePool, endEnginePool } from '../local/postgres/enginePool.ts';
import { startPostgres } from '../local/postgres/startPostgres.ts';
import { SESSION_OPTIONS } from '../local/redshift/engine/databasePools.ts';
import { startRedshiftData } from '../local/redshift/startRedshiftData.ts';
import { ensureDatabase } from '../local/stack.ts';
import { createRedshiftDataClient } from '../src/aws/clients.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, statements: { type: 'string', default: '300' } },
});
const ROWS = Number(values.rows);
const STATEMENTS = Number(values.statements);
const CONCURRENCY = 8;
const BIG_QUERY = `select g as id, 'row ' || g as name, (g * 1.5)::numeric(12,2) as amount, date '2008-01-01' + g % 365 as day from generate_series(1, ${ROWS}) g`;

async function runAndWait(
  client: RedshiftDataClient,
  Sql: string,
  Parameters?: { name: string; value: string }[],
) {
  const { Id } = await client.send(
    new ExecuteStatementCommand({ ClusterIdentifier: 'local', Database: 'bench', Sql, Parameters }),
  );
  for (;;) {
    const d = await client.send(new DescribeStatementCommand({ Id, WaitTimeSeconds: 30 }));
    if (d.Status === 'FINISHED') return Id as string;
    if (d.Status === 'FAILED' || d.Status === 'ABORTED') throw new Error(`${Sql}: ${d.Status} ${d.Error}`);
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function inParallel(total: number, workers: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) await fn(next++);
    }),
  );
}

const dataDir = await mkdtemp(join(tmpdir(), 'rt-bench-dataapi-'));
// The cluster directory itself (startPostgres hands it to the postgres user when run as root).
const server = await startPostgres({ dataDir });
await ensureDatabase(server.url, 'bench');
const dataApi = await startRedshiftData({ databaseUrl: server.urlFor('bench'), poolSize: CONCURRENCY + 2 });
const client = createRedshiftDataClient({ region: 'us-east-1', endpoint: dataApi.endpoint });
// An engine pool: its end waits until its connections are closed. pg's pool.end() resolves before
// that, and the fast shutdown of server.stop() right after ended a backend still reading its
// goodbye: its 57P01 reached an idle client of a pool with no 'error' listener and killed this
// bench at its very end (bench.log, 6 Dec).
const direct = createEnginePool({
  connectionString: server.urlFor('bench'),
  max: CONCURRENCY,
  options: SESSION_OPTIONS,
});

type Row = [string, string, string, string];
const table: Row[] = [];
try {
  await direct.query('create table small (id int, name varchar(20))');
  const insert = 'insert into small values (:id, :name)';
  const insertPg = 'insert into small values ($1, $2)';
  // Warm both paths (pool connections, the server's catalog cache, JIT).
  for (let i = 0; i < 20; i++) {
    await runAndWait(client, insert, [
      { name: 'id', value: String(i) },
      { name: 'name', value: 'w' },
    ]);
    await direct.query(insertPg, [i, 'w']);
  }

  const api1 = await timed(async () => {
    for (let i = 0; i < STATEMENTS; i++) {
      await runAndWait(client, insert, [
        { name: 'id', value: String(i) },
        { name: 'name', value: `n${i}` },
      ]);
    }
  });
  const pg1 = await timed(async () => {
    for (let i = 0; i < STATEMENTS; i++) await direct.query(insertPg, [i, `n${i}`]);
  });
  table.push([
    `small INSERT, sequential (${STATEMENTS})`,
    `${((STATEMENTS / api1.ms) * 1000).toFixed(0)} stmt/s`,
    `${((STATEMENTS / pg1.ms) * 1000).toFixed(0)} stmt/s`,
    (pg1.ms / api1.ms).toFixed(3),
  ]);

  const apiN = await timed(() =>
    inParallel(STATEMENTS, CONCURRENCY, (i) =>
      runAndWait(client, insert, [
        { name: 'id', value: String(i) },
        { name: 'name', value: `p${i}` },
      ]),
    ),
  );
  const pgN = await timed(() =>
    inParallel(STATEMENTS, CONCURRENCY, (i) => direct.query(insertPg, [i, `p${i}`])),
  );
  table.push([
    `small INSERT, ${CONCURRENCY} concurrent (${STATEMENTS})`,
    `${((STATEMENTS / apiN.ms) * 1000).toFixed(0)} stmt/s`,
    `${((STATEMENTS / pgN.ms) * 1000).toFixed(0)} stmt/s`,
    (pgN.ms / apiN.ms).toFixed(3),
  ]);

  // 1M rows: run + page through every GetStatementResult page, decoded by the SDK.
  const api = await timed(async () => {
    const id = await runAndWait(client, BIG_QUERY);
    let rows = 0;
    let pages = 0;
    let token: string | undefined;
    do {
      const r = await client.send(new GetStatementResultCommand({ Id: id, NextToken: token }));
      rows += r.Records?.length ?? 0;
      pages++;
      token = r.NextToken;
    } while (token);
    return { rows, pages };
  });
  if (api.value.rows !== ROWS) throw new Error(`paged ${api.value.rows} rows, expected ${ROWS}`);
  const pgBig = await timed(async () => (await direct.query(BIG_QUERY)).rowCount);
  table.push([
    `SELECT ${ROWS.toLocaleString('en')} rows (${api.value.pages} pages)`,
    `${((ROWS / api.ms) * 1000).toFixed(0)} rows/s`,
    `${((ROWS / pgBig.ms) * 1000).toFixed(0)} rows/s`,
    (pgBig.ms / api.ms).toFixed(3),
  ]);
} finally {
  client.destroy();
  await endEnginePool(direct);
  await dataApi.stop();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}

const header: Row = ['case', 'Data API', 'pg direct', 'ratio (API/pg)'];
const widths = header.map((h, c) => Math.max(h.length, ...table.map((r) => r[c]?.length ?? 0)));
const line = (r: Row) => `| ${r.map((v, c) => v.padEnd(widths[c] as number)).join(' | ')} |`;
console.log(`\nLocal Data API vs PostgreSQL directly (same private cluster, ${process.version})\n`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(r));
console.log(
  `\npeak RSS of this process (server + client): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);
