import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gatewayBinary } from '../../local/s3/gatewayBinary.mjs';

/**
 * The local S3 server is built once from its Go module (bin/install-s3.mjs, idempotent); a fresh
 * clone running `npx --no-install vitest` gets it here instead of failing in every test file that needs S3.
 */
export default function setup() {
  if (existsSync(gatewayBinary())) return;
  const installer = fileURLToPath(new URL('../../bin/install-s3.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [installer], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`node ${installer} failed (exit ${r.status}); see its output above`);
}
