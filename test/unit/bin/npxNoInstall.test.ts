import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The documented CLI is `npx --no-install redshift-transfer ...`. A fake registry on loopback
// publishes a package of that name whose bin leaves a marker file: it shows what a bare `npx`
// does (downloads and runs it) and that `--no-install` never runs it.
const root = join(import.meta.dirname, '..', '..', '..');
let dir: string;
let server: Server;
let registry: string;
const requests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rt-npx-'));
  const pkg = join(dir, 'pkg', 'package');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'redshift-transfer', version: '9.9.9', bin: { 'redshift-transfer': 'cli.js' } }),
  );
  writeFileSync(
    join(pkg, 'cli.js'),
    "#!/usr/bin/env node\nrequire('node:fs').writeFileSync(process.env.RT_NPX_MARKER, 'someone else ran');\n",
    { mode: 0o755 },
  );
  const tgzPath = join(dir, 'pkg.tgz');
  execFileSync('tar', ['-czf', tgzPath, '-C', join(dir, 'pkg'), 'package']);
  const tgz = readFileSync(tgzPath);
  const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === '/redshift-transfer') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          name: 'redshift-transfer',
          'dist-tags': { latest: '9.9.9' },
          versions: {
            '9.9.9': {
              name: 'redshift-transfer',
              version: '9.9.9',
              bin: { 'redshift-transfer': 'cli.js' },
              dist: { tarball: `${base}/redshift-transfer/-/redshift-transfer-9.9.9.tgz`, integrity },
            },
          },
        }),
      );
    } else if (req.url?.endsWith('.tgz')) res.end(tgz);
    else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npx` with a private cache, the fake registry and no update/audit traffic. */
function npx(args: string[], cwd: string, marker: string, cache: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // npm's defaults, not the machine's ~/.npmrc (which may say yes=false): the flags under test decide.
    const { npm_config_yes: _yes, ...inherited } = process.env;
    const userconfig = join(dir, 'npmrc');
    writeFileSync(userconfig, '');
    const child = spawn('npx', args, {
      cwd,
      env: {
        ...inherited,
        npm_config_userconfig: userconfig,
        npm_config_registry: registry,
        npm_config_cache: cache,
        npm_config_update_notifier: 'false',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        RT_NPX_MARKER: marker,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npx --no-install redshift-transfer', () => {
  it('outside the project, fails without downloading or running the registry package', async () => {
    const outside = mkdtempSync(join(dir, 'elsewhere-'));
    const marker = join(dir, 'marker-no-install');
    const r = await npx(['--no-install', 'redshift-transfer', 'run', 'x'], outside, marker, join(dir, 'c1'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('canceled due to missing packages');
    expect(existsSync(marker)).toBe(false);
    expect(requests.filter((u) => u.endsWith('.tgz'))).toEqual([]);
  });

  it('whereas a bare `npx` downloads and runs it (the danger the docs avoid)', async () => {
    const outside = mkdtempSync(join(dir, 'elsewhere-'));
    const marker = join(dir, 'marker-bare');
    const r = await npx(['redshift-transfer', 'run', 'x'], outside, marker, join(dir, 'c2'));
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('someone else ran');
    expect(requests.some((u) => u.endsWith('.tgz'))).toBe(true);
  });

  it("inside the project, runs the project's own bin and asks the registry nothing", async () => {
    const before = requests.length;
    const marker = join(dir, 'marker-project');
    const r = await npx(['--no-install', 'redshift-transfer', '--help'], root, marker, join(dir, 'c3'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('usage: redshift-transfer <command>');
    expect(existsSync(marker)).toBe(false);
    expect(requests.slice(before)).toEqual([]);
  });
});
