import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../bin/redshift-transfer.mjs', import.meta.url));

function runCli(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return { child, exited, stderr: () => stderr };
}

describe('redshift-transfer local start|seed', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('prints one JSON line when ready, seeds through it, and exits 0 on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rt-cli-'));
    dirs.push(dataDir);
    const start = runCli(['local', 'start', '--data-dir', dataDir, '--slices', '2']);
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: start.child.stdout }).once('line', resolve);
        void start.exited.then((code) => reject(new Error(`local start exited ${code}: ${start.stderr()}`)));
      });
      const ready = JSON.parse(firstLine) as Record<string, unknown>;
      expect(ready).toMatchObject({
        region: 'us-east-1',
        database: 'dev',
        clusterIdentifier: 'local',
        buckets: ['rt-state', 'rt-staging', 'rt-exports', 'rt-landing'],
        engine: 'postgres',
      });
      expect(ready.redshiftData).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(existsSync(join(dataDir, 'stack.json'))).toBe(true);

      const second = runCli(['local', 'start', '--data-dir', dataDir]);
      expect(await second.exited).toBe(1);
      expect(second.stderr()).toContain(`A local stack already runs from ${dataDir}`);

      const seed = runCli(['local', 'seed', '--scale', '0.01', '--data-dir', dataDir]);
      let out = '';
      seed.child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      expect(await seed.exited).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ database: 'dev', rows: { sales: 1000, listing: 200 } });
    } finally {
      start.child.kill('SIGTERM');
    }
    expect(await start.exited).toBe(0);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
  });

  it('says what is wrong with bad flags and when no stack runs', async () => {
    const bad = runCli(['local', 'start', '--engine', 'pglite']);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toContain('--engine must be "postgres" or "url"');
    const dataDir = await mkdtemp(join(tmpdir(), 'rt-cli-empty-'));
    dirs.push(dataDir);
    const seed = spawn(process.execPath, [bin, 'local', 'seed', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RT_ENDPOINT_REDSHIFT_DATA: '' },
    });
    let err = '';
    seed.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    expect(await new Promise((r) => seed.once('exit', r))).toBe(1);
    expect(err).toContain('No running local stack found');
    const nobody = runCli(['local', 'seed', '--endpoint', 'http://127.0.0.1:9']);
    expect(await nobody.exited).toBe(1);
    expect(nobody.stderr()).toContain('The Data API at http://127.0.0.1:9 does not answer');
  });
});
