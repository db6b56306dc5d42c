import { PassThrough, type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import unbzip2 from 'unbzip2-stream';
import { s3Url } from '../aws/s3Uri.ts';
import { PartProcessingError, SourceChangedError, TransientError } from '../errors.ts';
import type { SourceCompression } from './loadRun.ts';

export interface SourceObjectRef {
  bucket: string;
  key: string;
  versionId?: string | undefined;
  etag?: string | undefined;
}

// preparePart imports s3Url from here (it is being split on another branch); the rule is in src/aws.
export { s3Url };

/** The compression a key's suffix says (`.gz`, `.gzip`, `.zst`, `.bz2`), else none. */
export function compressionFromKey(key: string): SourceCompression {
  const k = key.toLowerCase();
  if (k.endsWith('.gz') || k.endsWith('.gzip')) return 'gzip';
  if (k.endsWith('.zst') || k.endsWith('.zstd')) return 'zstd';
  if (k.endsWith('.bz2')) return 'bzip2';
  return 'none';
}

/**
 * The object as the random-access file a Parquet reader asks for (hyparquet's AsyncBuffer): each
 * slice is one ranged GET, so reading a footer never downloads the whole object.
 */
export function rangedObject(
  s3: S3Client,
  o: SourceObjectRef & { size: number },
): { byteLength: number; slice(start: number, end?: number): Promise<ArrayBuffer> } {
  return {
    byteLength: o.size,
    async slice(start, end) {
      const body = await openObject(s3, o, `bytes=${start}-${(end ?? o.size) - 1}`);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const all = Buffer.concat(chunks);
      return all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer;
    },
  };
}

/**
 * The object's bytes, exactly the version the plan saw (VersionId, else If-Match on the ETag: a
 * file overwritten since planning fails with a clear error instead of loading other data).
 */
export async function openObject(s3: S3Client, o: SourceObjectRef, range?: string): Promise<Readable> {
  try {
    const out = await s3.send(
      new GetObjectCommand({
        Bucket: o.bucket,
        Key: o.key,
        ...(o.versionId !== undefined && o.versionId !== 'null' ? { VersionId: o.versionId } : {}),
        ...(o.versionId === undefined && o.etag !== undefined ? { IfMatch: o.etag } : {}),
        ...(range === undefined ? {} : { Range: range }),
      }),
    );
    if (out.Body === undefined) throw new PartProcessingError(`${s3Url(o)}: S3 returned no body.`);
    return out.Body as Readable;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'PreconditionFailed') {
      throw new SourceChangedError(
        `${s3Url(o)} changed after the run was planned (its ETag is no longer ${o.etag}). Start the run again to load the new version.`,
        { cause: error },
      );
    }
    if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchVersion') {
      throw new PartProcessingError(
        `${s3Url(o)} no longer exists (${name}). Remove it from the job's sources.`,
        {
          cause: error,
        },
      );
    }
    if (error instanceof PartProcessingError) throw error;
    throw new TransientError(`Reading ${s3Url(o)} failed (${name}: ${(error as Error).message}); retrying.`, {
      cause: error,
    });
  }
}

/** Decompressed output comes in blocks of this size (zlib's 16 KiB default costs more per byte). */
const DECODED_CHUNK_BYTES = 128 * 1024;

const MAGIC: Record<Exclude<SourceCompression, 'none'>, number[]> = {
  gzip: [0x1f, 0x8b],
  zstd: [0x28, 0xb5, 0x2f, 0xfd],
  bzip2: [0x42, 0x5a, 0x68],
};

/**
 * Decompresses `input` as `compression`, checking the magic bytes first so that a mislabelled
 * file fails with its name instead of a zlib error. Output is plain bytes.
 */
export function decompress(input: Readable, compression: SourceCompression, label: string): Readable {
  if (compression === 'none') return input;
  const magic = MAGIC[compression];
  let checked = false;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!checked) {
        checked = true;
        const ok = magic.every((b, i) => i >= chunk.length || chunk[i] === b);
        if (!ok) {
          callback(
            new PartProcessingError(
              `${label} is not ${compression} (its first bytes do not match). Fix format.compression in the job or the file's name.`,
            ),
          );
          return;
        }
      }
      callback(null, chunk);
    },
  });
  const decoder =
    compression === 'gzip'
      ? createGunzip({ chunkSize: DECODED_CHUNK_BYTES })
      : compression === 'zstd'
        ? createZstdDecompress({ chunkSize: DECODED_CHUNK_BYTES })
        : (unbzip2() as unknown as Transform);
  const forward = (error: Error) => {
    output.destroy(
      error instanceof PartProcessingError
        ? error
        : new PartProcessingError(`${label}: cannot decompress as ${compression}: ${error.message}`, {
            cause: error,
          }),
    );
  };
  // unbzip2-stream is an old-style stream: a PassThrough makes every decoder async-iterable.
  const output = new PassThrough();
  input.on('error', forward);
  check.on('error', forward);
  decoder.on('error', forward);
  input.pipe(check).pipe(decoder).pipe(output);
  return output;
}

/**
 * UTF-8 text of a byte stream. Invalid UTF-8 is an error naming the file unless `lenient`
 * (ACCEPTINVCHARS), where it becomes U+FFFD and COPY replaces the bytes itself.
 */
export async function* utf8Text(
  input: AsyncIterable<Buffer>,
  label: string,
  lenient: boolean,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: !lenient });
  let bytes = 0;
  try {
    for await (const chunk of input) {
      bytes += chunk.length;
      const text = decoder.decode(chunk, { stream: true });
      if (text !== '') yield text;
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new PartProcessingError(
        `${label}: invalid UTF-8 within the first ${bytes} bytes. Fix the file's encoding, or set copyOptions.acceptInvChars.`,
        { cause: error },
      );
    }
    throw error;
  }
}
