// Where bin/install-s3.mjs puts the local S3 gateway (local/s3/gateway, Go) and where
// local/s3/startS3.ts runs it from. Standard library only: the installer runs before npm ci.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The Go module of the gateway: main.go beside the go.mod that pins VersityGW. */
export const gatewaySource = join(root, 'local', 's3', 'gateway');

/**
 * The binary for the current sources: its directory is named after a hash of go.mod, go.sum and
 * the .go files, so any change builds anew and a present binary is always the right one.
 */
export function gatewayBinary() {
  const hash = createHash('sha256');
  const files = readdirSync(gatewaySource)
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort();
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(gatewaySource, file)));
  return join(root, '.local', 's3-gateway', hash.digest('hex').slice(0, 16), 'gateway');
}
