#!/usr/bin/env node
// Installs the local S3: local/s3/gateway (VersityGW, Apache-2.0, with its POSIX backend) built
// from the Go module proxy at the versions its go.mod/go.sum pin (docs/local-stack.md says why
// this server). Idempotent: a binary for the current sources returns at once. Standard library
// only: it runs before the npm dependencies may be there (ensure-installed.mjs, .ci/run, tests).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { gatewayBinary, gatewaySource } from '../local/s3/gatewayBinary.mjs';

const binary = gatewayBinary();

function fail(message) {
  process.stderr.write(`redshift-transfer: ${message}\n`);
  process.exit(1);
}

if (!existsSync(binary)) {
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
    if (!canApt) {
      fail(
        'the local S3 is built from Go modules and needs the Go toolchain: install Go (Debian/Ubuntu: sudo apt-get install golang-go), then run node bin/install-s3.mjs again.',
      );
    }
    process.stderr.write('redshift-transfer: installing Go (apt-get install golang-go) ...\n');
    for (const args of [
      ['update', '-qq'],
      ['install', '-y', '-qq', 'golang-go'],
    ]) {
      const r = spawnSync('apt-get', args, {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      if (r.status !== 0) fail(`apt-get ${args.join(' ')} failed`);
    }
  }
  process.stderr.write('redshift-transfer: building the local S3 (VersityGW, Go; a few minutes, once) ...\n');
  // Build to a scratch name and rename: an interrupted build never leaves a half binary that the
  // next run would take for an installed one.
  mkdirSync(dirname(binary), { recursive: true });
  const scratch = `${binary}.building-${process.pid}`;
  const r = spawnSync('go', ['build', '-trimpath', '-o', scratch, '.'], {
    cwd: gatewaySource,
    stdio: 'inherit',
    // GOTOOLCHAIN=auto: a Go older than go.mod asks for fetches that toolchain from the module proxy.
    env: { ...process.env, GOFLAGS: '-mod=readonly', GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto' },
  });
  if (r.status !== 0) {
    rmSync(scratch, { force: true });
    fail('building local/s3/gateway failed; fix the error above and run node bin/install-s3.mjs again.');
  }
  renameSync(scratch, binary);
}
