import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS } from '../../src/aws/localCredentials.ts';
import { ConfigError } from '../../src/errors.ts';
import { startOnFreePort } from '../net/startOnFreePort.ts';
import { type ServiceProcess, spawnService } from '../process/spawnService.ts';
import { gatewayBinary } from './gatewayBinary.mjs';

export interface LocalS3 {
  endpoint: string;
  port: number;
  dataDir: string;
  /** Where the objects live as plain files: `<bucketsDir>/<bucket>/<key>`. */
  bucketsDir: string;
  stop(): Promise<void>;
}

export interface StartS3Options {
  dataDir: string;
  /** 0 (default) takes a free port. */
  port?: number;
  /** The region requests are signed for (SigV4 checks it, as S3 does); default us-east-1. */
  region?: string;
}

/**
 * Starts the local S3 (local/s3/gateway: VersityGW with its POSIX backend) on loopback, path-style. Objects are plain
 * files under `<dataDir>/buckets/<bucket>/<key>` (metadata in `<dataDir>/meta`, old versions in
 * `<dataDir>/versions`), so a user can open them with any tool. Requests are SigV4-checked against
 * the stack's key pair (LOCAL_CREDENTIALS) like S3 checks them against IAM.
 */
export async function startS3({ dataDir, port = 0, region = 'us-east-1' }: StartS3Options): Promise<LocalS3> {
  const binary = gatewayBinary();
  if (!existsSync(binary)) {
    throw new ConfigError(
      `The local S3 is not installed (${binary} is missing): run node bin/install-s3.mjs (npm start and the tests run it for you).`,
    );
  }
  const bucketsDir = join(dataDir, 'buckets');
  const metaDir = join(dataDir, 'meta');
  const versionsDir = join(dataDir, 'versions');
  await Promise.all([bucketsDir, metaDir, versionsDir].map((d) => mkdir(d, { recursive: true })));

  const start = async (actualPort: number): Promise<LocalS3> => {
    const service = await spawnGateway(binary, {
      bucketsDir,
      metaDir,
      versionsDir,
      port: actualPort,
      region,
    });
    return {
      endpoint: `http://127.0.0.1:${actualPort}`,
      port: actualPort,
      dataDir,
      bucketsDir,
      stop: () => service.stop('SIGTERM'),
    };
  };
  // A fixed port is used as given; a free one is asked of the kernel (again if it was taken).
  return port === 0 ? startOnFreePort(start) : start(port);
}

async function spawnGateway(
  binary: string,
  o: { bucketsDir: string; metaDir: string; versionsDir: string; port: number; region: string },
): Promise<ServiceProcess> {
  // A path no other server answers: readiness proves that this process, not a squatter, listens.
  const healthPath = `/rt-health-${randomUUID()}`;
  const healthUrl = `http://127.0.0.1:${o.port}${healthPath}`;
  const args = [
    '-root',
    o.bucketsDir,
    '-meta',
    o.metaDir,
    '-versions',
    o.versionsDir,
    '-listen',
    `127.0.0.1:${o.port}`,
    '-region',
    o.region,
    '-health',
    healthPath,
  ];
  const { service } = await spawnService(binary, args, {
    name: 'local S3 (VersityGW)',
    env: {
      ...process.env,
      RT_S3_ACCESS_KEY: LOCAL_CREDENTIALS.accessKeyId,
      RT_S3_SECRET_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
    // The gateway prints nothing once it listens: ask its health path.
    ready: () => undefined,
    probe: async () => {
      const res = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return res.ok ? true : undefined;
    },
    readyTimeoutMs: 30_000,
  });
  return service;
}
