import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// bin/ensure-installed.mjs in a scratch project: fake npm and setup scripts record their calls, so
// the test sees what it would install without installing anything.
const script = join(import.meta.dirname, '..', '..', '..', 'bin', 'ensure-installed.mjs');
let root: string;
let log: string;

const lock = (versions: Record<string, string>, optional: string[] = []) => ({
  name: 'x',
  lockfileVersion: 3,
  packages: {
    '': { name: 'x' },
    ...Object.fromEntries(
      Object.entries(versions).map(([n, v]) => [
        `node_modules/${n}`,
        optional.includes(n) ? { version: v, optional: true } : { version: v },
      ]),
    ),
  },
});
const write = (path: string, text: string, mode = 0o644) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
};
const recorder = (name: string) => `#!/bin/sh\necho "${name} $*" >> "${log}"\n`;

function ensure(...args: string[]) {
  const fakeBin = join(root, 'fake-bin');
  return spawnSync(process.execPath, [join(root, 'bin', 'ensure-installed.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, PG_BIN: join(root, 'pg') },
  });
}
const calls = () => {
  try {
    return readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.trimEnd());
  } catch {
    return [];
  }
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'rt-ensure-'));
  log = join(root, 'calls.log');
  mkdirSync(join(root, 'bin'));
  copyFileSync(script, join(root, 'bin', 'ensure-installed.mjs'));
  write(join(root, 'package-lock.json'), JSON.stringify(lock({ a: '1.0.0', b: '2.0.0' }, ['b'])));
  // Installed: a at its locked version; b is optional (another platform's binary) and absent.
  write(join(root, 'node_modules', '.package-lock.json'), JSON.stringify(lock({ a: '1.0.0' })));
  for (const b of ['tsx', 'node', 'tsc', 'vitest']) write(join(root, 'node_modules', '.bin', b), '', 0o755);
  write(join(root, 'pg', 'postgres'), '', 0o755);
  write(join(root, 'fake-bin', 'npm'), recorder('npm'), 0o755);
  write(join(root, 'spark', 'setup.sh'), recorder('spark/setup.sh'), 0o755);
  write(join(root, 'test', 'python', 'setup.sh'), recorder('test/python/setup.sh'), 0o755);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('bin/ensure-installed.mjs', () => {
  it('installs nothing when everything is in place (npm start)', () => {
    const r = ensure();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(calls()).toEqual([]);
  });

  it('for npm test also runs the idempotent Python set-ups, nothing else', () => {
    const r = ensure('test');
    expect(r.status, r.stderr).toBe(0);
    expect(calls()).toEqual(['spark/setup.sh', 'test/python/setup.sh']);
  });

  it('runs npm ci on a fresh clone (no node_modules)', () => {
    rmSync(join(root, 'node_modules'), { recursive: true });
    const r = ensure();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('installing dependencies (npm ci)');
    expect(calls()).toEqual(['npm ci --no-audit --no-fund']);
  });

  it('runs npm ci when package-lock.json moved on (a merge added or bumped a package)', () => {
    write(join(root, 'package-lock.json'), JSON.stringify(lock({ a: '1.1.0', b: '2.0.0' }, ['b'])));
    expect(ensure().status).toBe(0);
    write(join(root, 'package-lock.json'), JSON.stringify(lock({ a: '1.0.0', c: '3.0.0' })));
    expect(ensure().status).toBe(0);
    expect(calls()).toEqual(['npm ci --no-audit --no-fund', 'npm ci --no-audit --no-fund']);
  });

  it('stops with the failing step named when an install fails', () => {
    rmSync(join(root, 'node_modules'), { recursive: true });
    write(join(root, 'fake-bin', 'npm'), '#!/bin/sh\nexit 3\n', 0o755);
    const r = ensure('test');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('npm ci failed; fix the error above and run the command again.');
    expect(calls()).toEqual([]);
  });
});
