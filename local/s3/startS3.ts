import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { spawnService } from '../process/spawnService.ts';

export interface LocalS3 {
  endpoint: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartS3Options {
  dataDir: string;
  /** 0 (default) takes a free port. */
  port?: number;
}

/**
 * Starts the local S3-compatible server (s3rver fork) on loopback, path-style, objects stored as
 * files under `dataDir`. Buckets behave like S3: NoSuchBucket until created.
 */
export async function startS3({ dataDir, port = 0 }: StartS3Options): Promise<LocalS3> {
  await mkdir(dataDir, { recursive: true });
  const script = fileURLToPath(new URL('./s3rverProcess.cjs', import.meta.url));
  const { service, readyValue } = await spawnService(
    process.execPath,
    ['--openssl-legacy-provider', script, dataDir, String(port)],
    {
      name: 'local S3',
      ready: (line, stream) => {
        if (stream !== 'stdout') return undefined;
        try {
          const parsed = JSON.parse(line) as { port?: number };
          return parsed.port;
        } catch {
          return undefined;
        }
      },
    },
  );
  const actualPort = readyValue as number;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    dataDir,
    stop: () => service.stop('SIGTERM'),
  };
}
