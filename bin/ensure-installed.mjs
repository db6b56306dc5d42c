#!/usr/bin/env node
// `npm start` and `npm test` on a fresh clone: install what they need first. This runs before the
// dependencies exist, on whatever node the machine has (20 is enough), so it uses nothing but
// node's standard library. Each step checks first: with everything in place the whole script
// takes well under a second.
//   node bin/ensure-installed.mjs         npm dependencies + the PostgreSQL server (npm start)
//   node bin/ensure-installed.mjs test    + the Python venvs (PySpark and jars, the test clients)
//                                         and Chromium for the browser tests (npm test)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.slice(2).includes('test');
const say = (line) => process.stderr.write(`redshift-transfer: ${line}\n`);
const isRoot = process.getuid?.() === 0;
const canApt = isRoot && existsSync('/usr/bin/apt-get');

function run(command, args, what) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    say(
      `${what} failed${result.error ? ` (${result.error.message})` : ''}; fix the error above and run the command again.`,
    );
    process.exit(result.status ?? 1);
  }
}

let aptUpdated = false;
function aptInstall(packages) {
  if (!aptUpdated) run('apt-get', ['update', '-qq'], 'apt-get update');
  aptUpdated = true;
  run('apt-get', ['install', '-y', '-qq', ...packages], `apt-get install ${packages.join(' ')}`);
}

// 1. npm dependencies: installed when node_modules is missing or out of step with
//    package-lock.json (a pull or a merge changed it). npm records what it installed in
//    node_modules/.package-lock.json; every package the lockfile requires (optional ones are
//    platform-specific) must be there at the locked version.
function npmInSync() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  const bins = ['tsx', 'node', 'tsc', 'vitest'].map((b) => join(root, 'node_modules', '.bin', b));
  if (!existsSync(installed) || !bins.every((b) => existsSync(b))) return false;
  const want = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages ?? {};
  const have = JSON.parse(readFileSync(installed, 'utf8')).packages ?? {};
  return Object.entries(want).every(
    ([path, pkg]) => path === '' || (have[path] ? have[path].version === pkg.version : pkg.optional === true),
  );
}
if (!npmInSync()) {
  say('installing dependencies (npm ci) ...');
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund'], 'npm ci');
}

// 2. The local Redshift runs on a private PostgreSQL cluster: it needs the server binaries.
const pgRoot = '/usr/lib/postgresql';
const hasPostgres =
  (process.env.PG_BIN !== undefined && existsSync(join(process.env.PG_BIN, 'postgres'))) ||
  (existsSync(pgRoot) && readdirSync(pgRoot).some((v) => existsSync(join(pgRoot, v, 'bin', 'postgres'))));
if (!hasPostgres) {
  if (!canApt) {
    say(
      'PostgreSQL server binaries not found. Install them (Debian/Ubuntu: sudo apt-get install postgresql) or set PG_BIN to the directory holding initdb and postgres.',
    );
    process.exit(1);
  }
  say('installing the PostgreSQL server (apt-get install postgresql) ...');
  aptInstall(['postgresql']);
}

if (forTests) {
  // 3. The Python venvs the tests drive: PySpark + jars for the local EMR, and the real clients
  //    and file writers. Each script keeps its own stamp and is quiet when nothing changed.
  run('bash', [join(root, 'spark', 'setup.sh')], 'bash spark/setup.sh');
  run('bash', [join(root, 'test', 'python', 'setup.sh')], 'bash test/python/setup.sh');

  // 4. Chromium from the OS packages for the browser tests of the local console.
  if (!existsSync('/usr/bin/chromium')) {
    if (canApt) {
      say('installing Chromium for the browser tests (apt-get install chromium) ...');
      aptInstall(['chromium']);
    } else
      say(
        'warning: /usr/bin/chromium not found, so the browser tests cannot run: install it (Debian: sudo apt-get install chromium).',
      );
  }
}
