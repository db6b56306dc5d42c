import { once } from 'node:events';
import type { Duplex, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { createCompressor } from './compression.ts';
import { S3ObjectSink } from './s3/S3ObjectSink.ts';

const MAX_COMPRESSOR_BACKLOG = 1024 * 1024;

/** One object UNLOAD writes: optional compression in front of a bounded-memory S3 sink. */
export class OutputFile {
  /** Lines (or rows) written, header included: the manifest's record_count. */
  records = 0;
  private readonly sink: S3ObjectSink;
  private readonly compressor: Transform | Duplex | undefined;
  private compressorError: unknown;

  constructor(
    s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    compression: 'gzip' | 'bzip2' | 'zstd' | undefined,
    signal: AbortSignal,
  ) {
    this.sink = new S3ObjectSink(s3, bucket, key, signal);
    if (compression) {
      const c = createCompressor(compression);
      c.on('data', (chunk: Buffer) => this.sink.push(chunk));
      c.on('error', (err) => {
        this.compressorError ??= err;
      });
      this.compressor = c;
    }
  }

  /** Bytes that reached the object so far (compressed size when compressing). */
  get size(): number {
    return this.sink.bytes;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.compressorError) throw this.compressorError;
    if (!this.compressor) return this.sink.write(chunk);
    // Let the compressor work (on the thread pool) while the caller produces the next chunk: wait
    // only when a bounded backlog builds up.
    this.compressor.write(chunk);
    if (this.compressor.writableLength > MAX_COMPRESSOR_BACKLOG) await once(this.compressor, 'drain');
    await this.sink.drain();
  }

  /** Finishes the object; returns its content length. */
  async close(): Promise<number> {
    if (this.compressor) {
      this.compressor.end();
      await finished(this.compressor);
      if (this.compressorError) throw this.compressorError;
    }
    return this.sink.close();
  }

  async abort(): Promise<void> {
    this.compressor?.destroy();
    await this.sink.abort();
  }
}
