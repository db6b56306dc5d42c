import { once } from 'node:events';
import type { Duplex, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { createCompressor } from './compression.ts';
import { S3ObjectSink } from './s3/S3ObjectSink.ts';

const MAX_COMPRESSOR_BACKLOG = 1024 * 1024;

type Compression = 'gzip' | 'bzip2' | 'zstd';

/**
 * The most compressed bytes `n` input bytes can become, flushes and the stream's header and
 * trailer included. Deflate stores incompressible data at 5 bytes per 64 KiB block, zstd at 3 per
 * 128 KiB (ZSTD_compressBound), bzip2 grows it by ~1% plus 600 bytes: each bound is above those.
 */
const BOUND: Record<Compression, (n: number) => number> = {
  gzip: (n) => n + Math.ceil(n / 1024) + 64,
  zstd: (n) => n + Math.ceil(n / 128) + 128,
  bzip2: (n) => n + Math.ceil(n / 64) + 1024,
};

/** The most input bytes whose bound stays within `room`. */
function inputFor(compression: Compression, room: number): number {
  const bound = BOUND[compression];
  let n = Math.max(0, Math.floor(room * 0.98) - 1024);
  // `bound` is increasing: grow while the next step still fits (few steps, the start is close).
  for (let step = Math.max(1, Math.floor(room / 512)); step >= 1; step = Math.floor(step / 2)) {
    while (bound(n + step) <= room) n += step;
  }
  return bound(n) <= room ? n : 0;
}

/** One object UNLOAD writes: optional compression in front of a bounded-memory S3 sink. */
export class OutputFile {
  /** Lines (or rows) written, header included: the manifest's record_count. */
  records = 0;
  private readonly sink: S3ObjectSink;
  private compressor: Transform | Duplex | undefined;
  private compressorError: unknown;
  /** Input bytes given to the compressor since the compressed size was last known exactly. */
  private unsettled = 0;

  constructor(
    s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    private readonly compression: Compression | undefined,
    signal: AbortSignal,
  ) {
    this.sink = new S3ObjectSink(s3, bucket, key, signal);
  }

  /** Bytes that reached the object so far (compressed size when compressing). */
  get size(): number {
    return this.sink.bytes;
  }

  private startCompressor(kind: Compression): Transform | Duplex {
    const c = createCompressor(kind);
    c.on('data', (chunk: Buffer) => this.sink.push(chunk));
    c.on('error', (err) => {
      this.compressorError ??= err;
    });
    this.compressor = c;
    return c;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.compressorError) throw this.compressorError;
    if (!this.compression) return this.sink.write(chunk);
    const compressor = this.compressor ?? this.startCompressor(this.compression);
    this.unsettled += chunk.length;
    // Let the compressor work (on the thread pool) while the caller produces the next chunk: wait
    // only when a bounded backlog builds up.
    compressor.write(chunk);
    if (compressor.writableLength > MAX_COMPRESSOR_BACKLOG) await once(compressor, 'drain');
    await this.sink.drain();
  }

  /**
   * How many more input bytes can be written with the finished object still at most `max` bytes
   * (MAXFILESIZE is an upper bound). `want` is what the caller would like to write: when that
   * surely fits nothing is flushed; otherwise the compressed size is made exact first (a gzip
   * sync flush or zstd flush; for bzip2 the stream ends and the next write starts a new one,
   * which bzip2 readers concatenate), so files still fill up to close below the cap.
   */
  async room(max: number, want: number): Promise<number> {
    if (!this.compression) return Math.max(0, max - this.sink.bytes);
    const bound = BOUND[this.compression];
    const pending = this.compressor?.readableLength ?? 0;
    if (this.sink.bytes + pending + bound(this.unsettled + want) <= max) return want;
    await this.settle();
    return inputFor(this.compression, max - this.sink.bytes);
  }

  /** Makes `size` exact: everything written so far is compressed and in the sink. */
  private async settle(): Promise<void> {
    const c = this.compressor;
    if (c === undefined || this.unsettled === 0) return;
    if (this.compression === 'bzip2') {
      c.end();
      await finished(c);
      this.compressor = undefined;
    } else {
      const flushable = c as zlib.Gzip;
      const kind = this.compression === 'gzip' ? zlib.constants.Z_SYNC_FLUSH : zlib.constants.ZSTD_e_flush;
      await new Promise<void>((resolve) => flushable.flush(kind, () => resolve()));
      // Output of the flush still buffered in the readable side: read() hands it to the 'data'
      // listener (the sink) now rather than on a later tick.
      while (c.readableLength > 0 && c.read() !== null) {}
    }
    if (this.compressorError) throw this.compressorError;
    this.unsettled = 0;
    await this.sink.drain();
  }

  /** Finishes the object; returns its content length. */
  async close(): Promise<number> {
    if (this.compression && this.compressor === undefined && this.sink.bytes === 0) {
      // An empty compressed file is still a valid (empty) stream, as Redshift writes it.
      this.startCompressor(this.compression);
    }
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
