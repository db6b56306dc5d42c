#!/usr/bin/env node
// `npm start` on a fresh clone: install the dependencies first (this runs before them, on
// whatever node the machine has, so it uses nothing but node's standard library).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
