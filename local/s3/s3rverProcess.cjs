'use strict';
// Runs the S3-compatible server in its own process: it needs the OpenSSL legacy provider (its
// ListObjectsV2 continuation tokens use DES), which we do not want to force on the caller.
// Usage: node --openssl-legacy-provider s3rverProcess.cjs <dataDir> [port]
// Prints one JSON line {"port":N} when listening; exits on SIGTERM/SIGINT or when stdin closes.
const S3rver = require('@20minutes/s3rver');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');

// Like the other local services, accept any credentials: s3rver only knows the key pair
// S3RVER/S3RVER, so unknown key ids resolve to its dummy account (signatures are not checked).
const knownAccount = AWSAccount.registry.get.bind(AWSAccount.registry);
AWSAccount.registry.get = (id) => knownAccount(id) ?? AWSAccount.DUMMY_ACCOUNT;
const dummyKeys = AWSAccount.DUMMY_ACCOUNT.accessKeys;
const knownSecret = dummyKeys.get.bind(dummyKeys);
dummyKeys.get = (id) => knownSecret(id) ?? 'S3RVER';

const [dataDir, portArg] = process.argv.slice(2);
if (!dataDir) {
  process.stderr.write('usage: s3rverProcess.cjs <dataDir> [port]\n');
  process.exit(2);
}

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(portArg ?? 0),
  directory: dataDir,
  silent: true,
  allowMismatchedSignatures: true,
  vhostBuckets: false,
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    // close() waits for every keep-alive or half-read response; a client that abandoned a
    // GetObject body would keep us alive forever, so idle sockets go now and busy ones after 2 s.
    const closing = server.close();
    server.httpServer?.closeIdleConnections?.();
    const force = setTimeout(() => server.httpServer?.closeAllConnections?.(), 2000);
    force.unref();
    await closing;
  } finally {
    process.exit(0);
  }
}

server.run().then(
  (address) => {
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  },
  (err) => {
    process.stderr.write(`s3 server failed to start: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent holds our stdin open; when it dies (even by SIGKILL) stdin ends and we follow it.
process.stdin.on('end', stop);
process.stdin.resume();
