import { spawn } from 'node:child_process';
import type { Transform } from 'node:stream';
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { RedshiftSqlError } from './types.ts';

export type CompressionKind = 'gzip' | 'bzip2' | 'zstd' | 'lzop';

/** File-name suffix UNLOAD adds for each compression. */
export const COMPRESSION_SUFFIX: Record<Exclude<CompressionKind, 'lzop'>, string> = {
  gzip: '.gz',
  bzip2: '.bz2',
  zstd: '.zst',
};

// bzip2 has no maintained pure-JS stream codec; the system binary streams both ways.
function bzip2Stream(args: string[]): Duplex {
  const child = spawn('bzip2', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout });
  child.on('error', (err) => duplex.destroy(new RedshiftSqlError(`bzip2 is not available: ${err.message}`)));
  child.on('close', (code) => {
    if (code !== 0 && code !== null)
      duplex.destroy(
        new RedshiftSqlError(`bzip2 failed (exit ${code}): ${stderr.trim() || 'invalid bzip2 data'}`),
      );
  });
  duplex.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return duplex;
}

export function createCompressor(kind: Exclude<CompressionKind, 'lzop'>): Transform | Duplex {
  // Redshift's gzip level is not documented; level 1 is ~5x faster than zlib's default 6 and
  // only ~7% larger, and any gzip reader reads it.
  if (kind === 'gzip') return zlib.createGzip({ level: 1, chunkSize: 64 * 1024 });
  if (kind === 'zstd') return zlib.createZstdCompress();
  return bzip2Stream(['-c', '-z']);
}

export function createDecompressor(kind: CompressionKind): Transform | Duplex {
  if (kind === 'gzip') return zlib.createGunzip({ chunkSize: 64 * 1024 });
  if (kind === 'zstd') return zlib.createZstdDecompress();
  if (kind === 'bzip2') return bzip2Stream(['-c', '-d']);
  throw new RedshiftSqlError('LZOP compressed input is not supported by the local emulator.', '0A000');
}
