import type { S3Client } from '@aws-sdk/client-s3';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { s3ServiceError } from './s3Errors.ts';

const PART_SIZE = 5 * 1024 * 1024;
const MAX_IN_FLIGHT = 2;

/**
 * Writes one S3 object from chunks of unknown total length with bounded memory: small objects go
 * in one PutObject, larger ones as a multipart upload of 5 MiB parts (at most two in flight).
 * Real S3 refuses chunked transfer encoding, so nothing here streams a body of unknown length.
 */
export class S3ObjectSink {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private uploadId: string | undefined;
  private parts: { ETag: string; PartNumber: number }[] = [];
  private inFlight: Promise<void>[] = [];
  private nextPart = 1;
  private failure: unknown;
  /** Bytes accepted so far (the object's final content length once closed). */
  bytes = 0;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** Appends bytes; resolves when there is room for more. */
  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.bytes += chunk.length;
    if (this.buffered >= PART_SIZE) {
      await this.startPart(this.takeBuffer());
      while (this.inFlight.length >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
      if (this.failure) throw this.failure;
    }
  }

  /** Appends without waiting (callers that cannot await, e.g. stream 'data' handlers). */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.bytes += chunk.length;
  }

  /** Waits until the buffered bytes are handed to S3 far enough for bounded memory. */
  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffered >= PART_SIZE) await this.startPart(this.takeBuffer());
    while (this.inFlight.length >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  async close(): Promise<number> {
    try {
      if (this.uploadId === undefined) {
        await this.s3.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: this.takeBuffer() }),
          { abortSignal: this.signal },
        );
        return this.bytes;
      }
      if (this.buffered > 0) await this.startPart(this.takeBuffer());
      await Promise.all(this.inFlight);
      if (this.failure) throw this.failure;
      this.parts.sort((a, b) => a.PartNumber - b.PartNumber);
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.key,
          UploadId: this.uploadId,
          MultipartUpload: { Parts: this.parts },
        }),
      );
      return this.bytes;
    } catch (err) {
      await this.abort();
      throw s3ServiceError(err);
    }
  }

  async abort(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    if (this.uploadId === undefined) return;
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    await Promise.allSettled(this.inFlight);
    await this.s3
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId }))
      .catch(() => undefined);
  }

  private takeBuffer(): Buffer {
    const b = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return b;
  }

  private async startPart(body: Buffer): Promise<void> {
    if (this.uploadId === undefined) {
      try {
        const res = await this.s3.send(
          new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key }),
          {
            abortSignal: this.signal,
          },
        );
        this.uploadId = res.UploadId;
      } catch (err) {
        throw s3ServiceError(err);
      }
    }
    const partNumber = this.nextPart++;
    const p: Promise<void> = this.s3
      .send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: this.key,
          UploadId: this.uploadId,
          PartNumber: partNumber,
          Body: body,
        }),
        { abortSignal: this.signal },
      )
      .then(
        (res) => {
          this.parts.push({ ETag: res.ETag ?? '', PartNumber: partNumber });
        },
        (err: unknown) => {
          this.failure ??= s3ServiceError(err);
        },
      )
      .finally(() => {
        this.inFlight = this.inFlight.filter((x) => x !== p);
      });
    this.inFlight.push(p);
  }
}
