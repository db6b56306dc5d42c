import { Transform, type TransformCallback } from 'node:stream';

/**
 * Counts a stream's bytes and hands them on in batches of at least `minBytes` (the last one
 * shorter), unchanged and in order. An S3 response body arrives in 16-64 KiB pieces, and every
 * piece written to a zlib/zstd stream costs a thread-pool job and a round trip through the main
 * thread, so batching the compressed input first leaves the main thread free to feed the codecs.
 * A piece already as large as a batch passes without a copy.
 */
export class ByteBatcher extends Transform {
  bytes = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly minBytes: number) {
    super({ highWaterMark: minBytes });
  }

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback) {
    this.bytes += chunk.length;
    if (this.pendingBytes === 0 && chunk.length >= this.minBytes) return done(null, chunk);
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.minBytes) return done();
    done(null, this.joinPending());
  }

  override _flush(done: TransformCallback) {
    done(null, this.pendingBytes > 0 ? this.joinPending() : undefined);
  }

  private joinPending(): Buffer {
    const batch =
      this.pending.length === 1
        ? (this.pending[0] as Buffer)
        : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return batch;
  }
}
