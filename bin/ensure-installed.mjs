#!/usr/bin/env node
// `npm start` on a fresh clone: install the dependencies first (this runs before them, on
// whatever node the machine has, so it uses nothing but node's standard library).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = ['tsx', 'node'].every((bin) => existsSync(join(root, 'node_modules', '.bin', bin)));
if (!installed) {
  process.stderr.write('redshift-transfer: installing dependencies (npm ci) ...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('redshift-transfer: npm ci failed; fix the error above and run npm start again.\n');
    process.exit(result.status ?? 1);
  }
}

// The local Redshift runs on a private PostgreSQL cluster: it needs the server binaries.
const pgRoot = '/usr/lib/postgresql';
const hasPostgres =
  (process.env.PG_BIN !== undefined && existsSync(join(process.env.PG_BIN, 'postgres'))) ||
  (existsSync(pgRoot) && readdirSync(pgRoot).some((v) => existsSync(join(pgRoot, v, 'bin', 'postgres'))));
if (!hasPostgres) {
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canApt) {
    process.stderr.write(
      'redshift-transfer: PostgreSQL server binaries not found. Install them (Debian/Ubuntu: sudo apt-get install postgresql) or set PG_BIN to the directory holding initdb and postgres.\n',
    );
    process.exit(1);
  }
  process.stderr.write(
    'redshift-transfer: installing the PostgreSQL server (apt-get install postgresql) ...\n',
  );
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'postgresql'],
  ]) {
    const r = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

// The local S3 server (VersityGW) is built from its Go module once; present, this returns at once.
const s3 = spawnSync(process.execPath, [join(root, 'bin', 'install-s3.mjs')], { stdio: 'inherit' });
if (s3.status !== 0) process.exit(s3.status ?? 1);
