/**
 * Which PostgreSQL engine should sit behind the local Data API? Measures the private native
 * cluster (through `pg`, as the server uses it) against embedded PGlite (in-process WebAssembly)
 * on what the Data API does: start, small statements, a 1M-row INSERT ... SELECT (the TICKIT
 * seed), a 1M-row SELECT read back, and whether a second session can work while a long query runs.
 *
 * Run: `npx --no-install tsx bench/dataapiEngines.ts [--rows 1000000]`. Prints a table, exits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { createEnginePool, endEnginePool } from '../local/postgres/enginePool.ts';
import { startPostgres } from '../local/postgres/startPostgres.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const ROWS = Number(values.rows);
const SMALL = 500;
const FILL = `insert into big select g, 'row ' || g, (g * 1.5)::numeric(12,2), timestamp '2008-01-01' + g * interval '1 second' from generate_series(1, ${ROWS}) g`;
const CREATE = 'create table big (id int, name text, amount numeric(12,2), at timestamp)';
const SELECT = 'select * from big';

interface Engine {
  query(sql: string, params?: unknown[]): Promise<number>;
  /** Runs `select 1` on another session while `pg_sleep` holds the first: ms, or undefined if impossible. */
  concurrent(): Promise<number | undefined>;
  stop(): Promise<void>;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

async function nativeEngine(dir: string): Promise<Engine> {
  const server = await startPostgres({ dataDir: dir });
  const pool = createEnginePool({ connectionString: server.url, max: 4 });
  return {
    query: async (sql, params) =>
      (await pool.query({ text: sql, values: params, rowMode: 'array' })).rowCount ?? 0,
    concurrent: async () => {
      const sleeper = pool.query('select pg_sleep(1)');
      const [ms] = await time(() => pool.query('select 1'));
      await sleeper;
      return ms;
    },
    stop: async () => {
      await endEnginePool(pool);
      await server.stop();
    },
  };
}

async function pgliteEngine(dir: string): Promise<Engine> {
  const db = new PGlite(dir);
  await db.waitReady;
  return {
    query: async (sql, params) => {
      const r = await db.query(sql, params, { rowMode: 'array' });
      return r.affectedRows || r.rows.length;
    },
    // One connection: a second query waits for the first (and the event loop is blocked meanwhile).
    concurrent: async () => undefined,
    stop: () => db.close(),
  };
}

type Row = string[];
const rows: Row[] = [];
for (const [name, make] of [
  ['native PostgreSQL (private cluster)', nativeEngine],
  ['PGlite (embedded, on disk)', pgliteEngine],
] as const) {
  const dir = await mkdtemp(join(tmpdir(), 'rt-bench-engine-'));
  try {
    const [startMs, engine] = await time(() => make(dir));
    try {
      await engine.query(CREATE);
      for (let i = 0; i < 50; i++) await engine.query('select $1::int + 1', [i]);
      const [smallMs] = await time(async () => {
        for (let i = 0; i < SMALL; i++) await engine.query('select $1::int + 1', [i]);
      });
      const [fillMs] = await time(() => engine.query(FILL));
      const [selectMs, count] = await time(() => engine.query(SELECT));
      if (count !== ROWS) throw new Error(`${name}: read ${count} rows, expected ${ROWS}`);
      const concurrent = await engine.concurrent();
      rows.push([
        name,
        `${(startMs / 1000).toFixed(1)} s`,
        `${((SMALL / smallMs) * 1000).toFixed(0)}/s`,
        `${((ROWS / fillMs) * 1000).toFixed(0)} rows/s`,
        `${((ROWS / selectMs) * 1000).toFixed(0)} rows/s`,
        concurrent === undefined ? 'no (one connection)' : `yes (${concurrent.toFixed(1)} ms)`,
      ]);
    } finally {
      await engine.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const header = [
  'engine',
  'start',
  'small stmts',
  `INSERT..SELECT ${ROWS}`,
  `SELECT ${ROWS}`,
  'second session during a query',
];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]?.length ?? 0)));
const fmt = (r: Row) => `| ${r.map((v, c) => v.padEnd(widths[c] as number)).join(' | ')} |`;
console.log(`\nPostgreSQL engines for the local Redshift (${process.version})\n`);
console.log(fmt(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(fmt(r));
