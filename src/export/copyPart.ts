import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { s3Call } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import { PartProcessingError } from '../errors.ts';
import {
  formatChecksum,
  type PartChecksum,
  sha256Checksum,
  sha256FromChecksum,
} from '../parts/partChecksum.ts';
import type { PartItem } from './exportRun.ts';

/** CopyObject's limit: larger objects are copied part by part (UploadPartCopy). */
export const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;
/** Range copied by one UploadPartCopy (S3 allows 5 MiB to 5 GiB, 10,000 parts). */
export const COPY_PART_BYTES = 512 * 1024 ** 2;

export interface CopiedPart {
  /** The source's size, checked against the manifest's content_length. */
  bytes: number;
  /** S3's full-object checksum of the destination, in the `ALGORITHM:base64` form of PartResult. */
  checksum: string;
  /** SHA-256 (hex) when the checksum is one, else ''. */
  sha256: string;
  /** Bytes this function read itself: 0 unless S3 returned no checksum and the copy was hashed here. */
  lambdaBytes: number;
}

export interface CopyTarget {
  bucket: string;
  key: string;
  contentType: string;
  contentEncoding?: string | undefined;
}

/**
 * Copies one UNLOAD file to its destination key inside S3 (the bytes never reach this process):
 * CopyObject with S3 computing a SHA-256 up to 5 GiB, above that a multipart copy with a
 * full-object CRC64NVME. The copy is pinned to the ETag whose size matched the manifest, so an
 * object replaced in between fails the copy (412) instead of publishing other bytes.
 */
export async function copyPart(
  s3: S3Client,
  part: PartItem,
  target: CopyTarget,
  limits: { singleCopyMaxBytes: number; copyPartBytes: number } = {
    singleCopyMaxBytes: COPY_OBJECT_MAX_BYTES,
    copyPartBytes: COPY_PART_BYTES,
  },
): Promise<CopiedPart> {
  const source = parseS3Uri(part.url);
  const head = await s3Call(() =>
    s3.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.key, ChecksumMode: 'ENABLED' })),
  );
  const size = head.ContentLength ?? -1;
  if (size !== part.contentLength) {
    throw new PartProcessingError(
      `${part.url}: the object holds ${size} bytes but the manifest says content_length ${part.contentLength}. The object changed or was truncated; run the export again.`,
    );
  }
  const copySource = `${source.bucket}/${encodeKey(source.key)}`;
  const ifMatch = head.ETag;
  const metadata = {
    ContentType: target.contentType,
    ...(target.contentEncoding === undefined ? {} : { ContentEncoding: target.contentEncoding }),
  };
  let checksum: PartChecksum | undefined;
  if (size <= limits.singleCopyMaxBytes) {
    const out = await s3Call(() =>
      s3.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          CopySource: copySource,
          ...(ifMatch === undefined ? {} : { CopySourceIfMatch: ifMatch }),
          MetadataDirective: 'REPLACE',
          ChecksumAlgorithm: 'SHA256',
          ...metadata,
        }),
      ),
    );
    const value = out.CopyObjectResult?.ChecksumSHA256;
    if (value !== undefined) checksum = { algorithm: 'SHA256', value };
  } else {
    checksum = await multipartCopy(s3, copySource, ifMatch, size, limits.copyPartBytes, target, metadata);
  }
  checksum ??= await destinationChecksum(s3, target);
  if (checksum !== undefined) {
    const text = formatChecksum(checksum);
    return { bytes: size, checksum: text, sha256: sha256FromChecksum(text), lambdaBytes: 0 };
  }
  // An S3 that computes no checksum (an older emulator): hash the copy here, and say so.
  const sha256 = await hashObject(s3, target);
  return { bytes: size, checksum: sha256Checksum(sha256), sha256, lambdaBytes: size };
}

async function multipartCopy(
  s3: S3Client,
  copySource: string,
  ifMatch: string | undefined,
  size: number,
  partBytes: number,
  target: CopyTarget,
  metadata: { ContentType: string; ContentEncoding?: string },
): Promise<PartChecksum | undefined> {
  const created = await s3Call(() =>
    s3.send(
      new CreateMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        ChecksumAlgorithm: 'CRC64NVME',
        ChecksumType: 'FULL_OBJECT',
        ...metadata,
      }),
    ),
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined)
    throw new PartProcessingError(`s3://${target.bucket}/${target.key}: S3 returned no UploadId.`);
  try {
    const parts: { PartNumber: number; ETag: string; ChecksumCRC64NVME?: string }[] = [];
    for (let start = 0, n = 1; start < size; start += partBytes, n++) {
      const end = Math.min(size, start + partBytes) - 1;
      const out = await s3Call(() =>
        s3.send(
          new UploadPartCopyCommand({
            Bucket: target.bucket,
            Key: target.key,
            UploadId: uploadId,
            PartNumber: n,
            CopySource: copySource,
            CopySourceRange: `bytes=${start}-${end}`,
            ...(ifMatch === undefined ? {} : { CopySourceIfMatch: ifMatch }),
          }),
        ),
      );
      const r = out.CopyPartResult;
      parts.push({
        PartNumber: n,
        ETag: r?.ETag ?? '',
        ...(r?.ChecksumCRC64NVME === undefined ? {} : { ChecksumCRC64NVME: r.ChecksumCRC64NVME }),
      });
    }
    const done = await s3Call(() =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          ChecksumType: 'FULL_OBJECT',
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
    return done.ChecksumCRC64NVME === undefined
      ? undefined
      : { algorithm: 'CRC64NVME', value: done.ChecksumCRC64NVME };
  } catch (error) {
    // Best effort: no parts of a failed copy stay billed; the copy's error is the one reported.
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }))
      .catch(() => {});
    throw error;
  }
}

/** The destination's full-object checksum as S3 reports it on HEAD, if it keeps one. */
async function destinationChecksum(s3: S3Client, target: CopyTarget): Promise<PartChecksum | undefined> {
  const head = await s3Call(() =>
    s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key, ChecksumMode: 'ENABLED' })),
  );
  if (head.ChecksumType === 'COMPOSITE') return undefined;
  if (head.ChecksumSHA256 !== undefined) return { algorithm: 'SHA256', value: head.ChecksumSHA256 };
  if (head.ChecksumCRC64NVME !== undefined) return { algorithm: 'CRC64NVME', value: head.ChecksumCRC64NVME };
  return undefined;
}

async function hashObject(s3: S3Client, target: CopyTarget): Promise<string> {
  const out = await s3Call(() => s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: target.key })));
  const hash = createHash('sha256');
  for await (const chunk of out.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * CopySource is `bucket/key` with the key URL-encoded. Slashes and the `=` of Hive partition
 * folders stay as they are (S3 decodes either form the same), which the local S3 also reads.
 */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replaceAll('%3D', '='))
    .join('/');
}
