import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { processExit, processRuns } from '../../helpers/processExit.ts';

// Real stacks started through the CLI, killed with SIGKILL (no exit handler runs), then the next
// start on the same data directory.
const bin = fileURLToPath(new URL('../../../bin/redshift-transfer.mjs', import.meta.url));
const dirs: string[] = [];
const started: number[] = [];

function cli(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child.pid as number);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  /** The first stdout line matching `pattern` (rejects if the CLI exits first). */
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => {
        if (pattern.test(l)) resolve(l);
      });
      void exited.then((code) => reject(new Error(`CLI exited ${code} before ${pattern}: ${stderr}`)));
    });
  return { child, exited, line, stderr: () => stderr };
}

const postmasterOf = (dataDir: string) =>
  Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};
const newDataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rt-life-'));
  dirs.push(dir);
  return dir;
};

afterAll(async () => {
  for (const pid of started) if (processRuns(pid)) process.kill(pid, 'SIGTERM');
  await Promise.all(started.map((pid) => processExit(pid).catch(() => undefined)));
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('a local stack never outlives its process', { timeout: 150_000 }, () => {
  it('local start killed with SIGKILL: its PostgreSQL stops, and the next start on the data dir works', async () => {
    const dataDir = await newDataDir();
    const first = cli(['local', 'start', '--data-dir', dataDir, '--slices', '1']);
    await first.line(/redshiftData/);
    const postmaster = postmasterOf(dataDir);
    expect(processRuns(postmaster)).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    await processExit(postmaster);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    const second = cli(['local', 'start', '--data-dir', dataDir, '--slices', '1']);
    const ready = JSON.parse(await second.line(/redshiftData/)) as { redshiftData: string };
    expect(ready.redshiftData).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const next = postmasterOf(dataDir);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await processExit(next);
  });

  it('a PostgreSQL left running by a killed stack (watchdog killed too) is stopped by the next start, data kept', async () => {
    const dataDir = await newDataDir();
    const first = cli(['local', 'start', '--data-dir', dataDir, '--slices', '1']);
    await first.line(/redshiftData/);
    const postmaster = postmasterOf(dataDir);
    const port = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[3]);
    const client = new pg.Client(`postgres://postgres@127.0.0.1:${port}/dev`);
    await client.connect();
    await client.query('CREATE TABLE kept (id int); INSERT INTO kept VALUES (1), (2)');
    await client.end();
    // SIGKILL to the stack and to PostgreSQL's watchdog: nothing is left to stop the server.
    const watchdog = parentOf(postmaster);
    process.kill(watchdog, 'SIGKILL');
    first.child.kill('SIGKILL');
    await first.exited;
    await processExit(watchdog);
    expect(processRuns(postmaster)).toBe(true);

    const second = cli(['local', 'start', '--data-dir', dataDir, '--slices', '1']);
    await second.line(/redshiftData/);
    expect(second.stderr()).toContain(
      `PostgreSQL (pid ${postmaster}) was left running on ${join(dataDir, 'postgres')} by a local stack that did not stop it`,
    );
    // pg_ctl stop -w returns once postmaster.pid is gone, a moment before the process itself
    // exits: wait for its exit (pidfd; rejects after 30 s if the old server was not stopped).
    await processExit(postmaster);
    const next = postmasterOf(dataDir);
    const nextPort = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[3]);
    const again = new pg.Client(`postgres://postgres@127.0.0.1:${nextPort}/dev`);
    await again.connect();
    expect((await again.query('SELECT id FROM kept ORDER BY id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
    await again.end();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await processExit(next);
  });

  it('run --local on a data dir a live stack uses is refused, naming the process and the fix', async () => {
    const dataDir = await newDataDir();
    const live = cli(['local', 'start', '--data-dir', dataDir, '--slices', '1']);
    await live.line(/redshiftData/);
    const postmaster = postmasterOf(dataDir);
    const run = cli(['run', 'nightly-sales-export', '--local', '--data-dir', dataDir]);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain(
      `ConfigError: PostgreSQL (pid ${postmaster}) already runs on ${join(dataDir, 'postgres')} for process ${live.child.pid}`,
    );
    expect(run.stderr()).toContain(
      `Stop that process first (Ctrl-C in its terminal, or kill ${live.child.pid})`,
    );
    expect(processRuns(postmaster)).toBe(true);
    live.child.kill('SIGTERM');
    expect(await live.exited).toBe(0);
    await processExit(postmaster);
  });

  it('run --local killed with SIGKILL mid-run leaves no PostgreSQL on its data dir', async () => {
    const dataDir = await newDataDir();
    // Long Wait states: the run is certainly still going when it is killed.
    const run = cli(['run', 'nightly-sales-export', '--local', '--data-dir', dataDir, '--wait-scale', '100']);
    await run.line(/^started arn:/);
    const postmaster = postmasterOf(dataDir);
    expect(processRuns(postmaster)).toBe(true);
    run.child.kill('SIGKILL');
    await run.exited;
    await processExit(postmaster);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });
});
