import { once } from 'node:events';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const FLUSH_BYTES = 64 * 1024;

/**
 * One prepared chunk being written: text in, gzip out, streamed to S3 by a multipart upload
 * (lib-storage: real S3 refuses bodies of unknown length otherwise). Memory per chunk is one
 * upload part (5 MiB) plus zlib state; backpressure from the upload pauses the writer.
 */
export class ChunkWriter {
  readonly key: string;
  records = 0;
  private readonly gzip: Gzip;
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;
  private pending: string[] = [];
  private pendingBytes = 0;
  private compressedBytes = 0;

  constructor(s3: S3Client, bucket: string, key: string) {
    this.key = key;
    this.gzip = createGzip();
    let counted = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        counted += chunk.length;
        callback(null, chunk);
      },
    });
    const body = new PassThrough();
    this.gzip.pipe(counter).pipe(body);
    this.upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: 'application/gzip' },
      queueSize: 1,
      partSize: 5 * 1024 * 1024,
    });
    this.done = this.upload.done().then((r) => {
      this.compressedBytes = counted;
      return r;
    });
    // Surfaced by end(); without a handler an early failure would be unhandled.
    this.done.catch(() => undefined);
  }

  /** Appends one record's text (already LF-terminated). */
  async write(text: string): Promise<void> {
    this.records++;
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.gzip.write(data)) {
      await Promise.race([once(this.gzip, 'drain'), this.done]);
    }
  }

  /** Finishes the gzip stream and the upload; returns the chunk's compressed size. */
  async end(): Promise<number> {
    await this.flush();
    this.gzip.end();
    await this.done;
    return this.compressedBytes;
  }

  /** Abandons the upload (a failed part leaves no half-written multipart upload behind). */
  async abort(): Promise<void> {
    this.gzip.destroy();
    await this.upload.abort().catch(() => undefined);
  }
}
