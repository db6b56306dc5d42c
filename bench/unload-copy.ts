/**
 * UNLOAD / COPY throughput of the local Redshift emulator against PostgreSQL's own COPY TO STDOUT /
 * FROM STDIN on the same data (the physical limit of the engine underneath), plus peak RSS.
 *
 *   npx --no-install tsx bench/unload-copy.ts            # 1,000,000 sales-like rows
 *   BENCH_ROWS=200000 npx --no-install tsx bench/unload-copy.ts
 *   BENCH_ONLY=csv npx --no-install tsx bench/unload-copy.ts   # or parquet: one format's pair of steps
 *
 * The machine may be shared, so next to wall time each step reports CPU time: this process (all
 * its threads, zlib's pool included) plus the PostgreSQL backend serving it, read from /proc; the
 * "CPU ratio" compares CPU seconds per row with the native step's, which load does not skew.
 * The local S3 gateway's CPU is shown apart (the native steps write to no storage at all).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { startPostgres } from '../local/postgres/startPostgres.ts';
import { executeRedshiftCommand, SYSTEM_TABLES_DDL } from '../local/redshift/commands/index.ts';
import type { CommandContext } from '../local/redshift/commands/types.ts';
import { startS3 } from '../local/s3/startS3.ts';
import { createS3Client } from '../src/aws/clients.ts';
import { unloadCopyRows } from './lib/unloadCopyRows.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ONLY = process.env.BENCH_ONLY;
const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/Bench'";

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

/** utime + stime of a process in ms (Linux /proc; clock ticks of 10 ms); 0 where /proc is missing. */
function procCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The local S3 gateway: a descendant of this process (it runs under a watchdog) whose program names the gateway. */
function gatewayPid(): number | undefined {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === process.pid) return true;
    return false;
  };
  for (const pid of parent.keys()) {
    try {
      const program = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (program.includes('gateway') && descends(pid)) return pid;
    } catch {}
  }
  return undefined;
}

let backendPid: number | undefined;
let s3Pid: number | undefined;

interface Timed<T> {
  ms: number;
  value: T;
  rss: number;
  /** CPU ms of this process plus the PostgreSQL backend. */
  cpu: number;
  /** CPU ms of the PostgreSQL backend alone. */
  pgCpu: number;
  /** CPU ms of the local S3 gateway. */
  s3Cpu: number;
}

async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  peakRss = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const pg0 = procCpuMs(backendPid);
  const s30 = procCpuMs(s3Pid);
  const t = performance.now();
  const value = await fn();
  const ms = performance.now() - t;
  const own = process.cpuUsage(cpu0);
  const pgCpu = procCpuMs(backendPid) - pg0;
  const cpu = (own.user + own.system) / 1000 + pgCpu;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { ms, value, rss: peakRss, cpu, pgCpu, s3Cpu: procCpuMs(s3Pid) - s30 };
}

// Separate temp dirs: startPostgres hands its own to the postgres user.
const pgDir = await mkdtemp(join(tmpdir(), 'rt-bench-pg-'));
const s3Dir = await mkdtemp(join(tmpdir(), 'rt-bench-s3-'));
const pgServer = await startPostgres({ dataDir: pgDir });
const s3Server = await startS3({ dataDir: s3Dir });
const s3 = createS3Client({ region: 'us-east-1', endpoint: s3Server.endpoint });
const client = new pg.Client(pgServer.url);
const auto = new pg.Client(pgServer.url);
try {
  await client.connect();
  await auto.connect();
  backendPid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  s3Pid = gatewayPid();
  for (const ddl of SYSTEM_TABLES_DDL) await client.query(ddl);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  await client.query(`DROP TABLE IF EXISTS sales, sales_native, sales_csv, sales_parquet`);
  await client.query(`CREATE TABLE sales (salesid integer NOT NULL, buyer varchar(40), qty smallint,
    pricepaid numeric(12,2), commission numeric(10,2), saletime timestamp, note varchar(100))`);
  await client.query(
    `INSERT INTO sales SELECT g, 'buyer_' || (g % 49989), (g % 8) + 1, round((g % 100000) / 7.0, 2), round((g % 100000) / 70.0, 2),
       timestamp '2008-01-01' + (g % 31536000) * interval '1 second', CASE WHEN g % 10 = 0 THEN NULL ELSE 'note, with "quotes" | pipes ' || g END
     FROM generate_series(1, $1) g`,
    [ROWS],
  );
  for (const t of ['sales_native', 'sales_csv', 'sales_parquet'])
    await client.query(`CREATE TABLE ${t} (LIKE sales)`);

  const ctx = (): CommandContext => ({
    client,
    autonomous: async (sql, params) => {
      await auto.query(sql, params);
    },
    s3,
    slices: 4,
    queryId: Math.floor(Math.random() * 1e6),
    sessionId: 1,
    database: 'postgres',
    user: 'bench',
    signal: new AbortController().signal,
  });

  // Native limits: COPY TO STDOUT into nothing, and COPY FROM STDIN of the same bytes.
  const chunks: Buffer[] = [];
  const nativeOut = await timed(() =>
    pipeline(
      client.query(copyTo('COPY sales TO STDOUT')),
      new Writable({
        write(c, _e, cb) {
          chunks.push(c as Buffer);
          cb();
        },
      }),
    ),
  );
  const nativeIn = await timed(async () => {
    const stream = client.query(copyFrom('COPY sales_native FROM STDIN'));
    for (const c of chunks) if (!stream.write(c)) await new Promise((r) => stream.once('drain', r));
    stream.end();
    await new Promise((res, rej) => stream.on('finish', res).on('error', rej));
  });
  chunks.length = 0;

  const run = (sql: string) => timed(() => executeRedshiftCommand(sql, ctx()));
  const skipped = {
    ms: Number.NaN,
    value: { rows: 0 },
    rss: 0,
    cpu: Number.NaN,
    pgCpu: Number.NaN,
    s3Cpu: Number.NaN,
  };
  const csv = ONLY === undefined || ONLY === 'csv';
  const pq = ONLY === undefined || ONLY === 'parquet';
  const unloadCsv = csv
    ? await run(`UNLOAD ('select * from sales') TO 's3://bench/csv/sales_' ${ROLE} FORMAT CSV GZIP MANIFEST`)
    : skipped;
  const copyCsv = csv
    ? await run(`COPY sales_csv FROM 's3://bench/csv/sales_manifest' ${ROLE} MANIFEST CSV GZIP`)
    : skipped;
  const unloadPq = pq
    ? await run(`UNLOAD ('select * from sales') TO 's3://bench/pq/sales_' ${ROLE} FORMAT PARQUET MANIFEST`)
    : skipped;
  const copyPq = pq
    ? await run(`COPY sales_parquet FROM 's3://bench/pq/sales_manifest' ${ROLE} MANIFEST FORMAT AS PARQUET`)
    : skipped;

  const rate = (ms: number) => ROWS / (ms / 1000);
  const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
  const steps: [string, Timed<unknown>, Timed<unknown>][] = [
    ['native COPY TO STDOUT', nativeOut, nativeOut],
    ['native COPY FROM STDIN', nativeIn, nativeIn],
    ['UNLOAD CSV GZIP', unloadCsv, nativeOut],
    ['COPY CSV GZIP', copyCsv, nativeIn],
    ['UNLOAD PARQUET', unloadPq, nativeOut],
    ['COPY PARQUET', copyPq, nativeIn],
  ];
  const [load1, load5] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  console.log(
    `\n${ROWS.toLocaleString('en-US')} rows (7 columns), 4 slices, load average ${load1} ${load5}\n`,
  );
  console.log(
    `${'step'.padEnd(24)} ${'seconds'.padStart(8)} ${'rows/s'.padStart(12)} ${'vs native'.padStart(10)} ${'CPU s'.padStart(7)} ${'CPU ratio'.padStart(10)} ${'of it PG'.padStart(9)} ${'S3 CPU s'.padStart(9)} ${'peak RSS'.padStart(9)}`,
  );
  for (const [name, t, ref] of steps)
    console.log(
      `${name.padEnd(24)} ${(t.ms / 1000).toFixed(2).padStart(8)} ${Math.round(rate(t.ms)).toLocaleString('en-US').padStart(12)} ${`${(ref.ms / t.ms).toFixed(2)}x`.padStart(10)} ${(t.cpu / 1000).toFixed(2).padStart(7)} ${`${(ref.cpu / t.cpu).toFixed(2)}x`.padStart(10)} ${(t.pgCpu / 1000).toFixed(2).padStart(9)} ${(t.s3Cpu / 1000).toFixed(2).padStart(9)} ${mb(t.rss).padStart(9)}`,
    );
  const rowsFile = process.env.BENCH_ROWS_FILE;
  if (rowsFile !== undefined) {
    const measured = steps
      .filter(([name, t]) => !name.startsWith('native') && Number.isFinite(t.ms))
      .map(([name, t, ref]) => ({
        name,
        step: { ms: t.ms, cpu: t.cpu, rss: t.rss },
        native: { name: ref === nativeOut ? 'COPY TO STDOUT' : 'COPY FROM STDIN', ms: ref.ms, cpu: ref.cpu },
      }));
    const rows = unloadCopyRows(measured, ROWS);
    writeFileSync(rowsFile, JSON.stringify(rows));
  }
  for (const t of [...(csv ? ['sales_csv'] : []), ...(pq ? ['sales_parquet'] : [])]) {
    const { rows: r } = await client.query(`SELECT count(*)::int AS n FROM ${t}`);
    if (r[0].n !== ROWS) throw new Error(`${t} has ${r[0].n} rows, expected ${ROWS}`);
  }
} finally {
  clearInterval(sampler);
  await Promise.allSettled([client.end(), auto.end()]);
  s3.destroy();
  await s3Server.stop();
  await pgServer.stop();
  await rm(pgDir, { recursive: true, force: true });
  await rm(s3Dir, { recursive: true, force: true });
}
