import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3 } from '../../../../local/s3/startS3.ts';
import { createS3Client } from '../../../../src/aws/clients.ts';
import { LOCAL_CREDENTIALS } from '../../../../src/aws/localCredentials.ts';

const MiB = 1024 * 1024;

async function bodyOf(out: { Body?: { transformToByteArray(): Promise<Uint8Array> } }): Promise<Buffer> {
  return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
}

async function statusOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return 200;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  }
}

describe('local S3 (VersityGW) through the AWS SDK for JS', () => {
  let dataDir: string;
  let s3: LocalS3;
  let client: S3Client;
  const bucket = 'fidelity';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rt-s3-fidelity-'));
    s3 = await startS3({ dataDir });
    client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("lists keys with & ' < > exactly as written, and gets them back by the listed key", async () => {
    const keys = ["odd/a&b'c<d>e.csv", 'odd/"quoted" & more.csv'];
    for (const key of keys) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'odd/' }));
    const listedKeys = (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
    expect(listedKeys).toEqual([...keys].sort());
    for (const key of listedKeys) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect((await bodyOf(got)).toString()).toBe(`body of ${key}`);
    }
  });

  it('refuses keys that would alias another file (//, leading /) instead of overwriting it', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'alias/a/b', Body: 'original' }));
    // (A key with /./ never reaches a server from this SDK: it resolves the dot segment itself.)
    for (const key of ['alias/a//b', '/alias/a/b']) {
      const put = client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'impostor' }));
      await expect(put).rejects.toMatchObject({
        name: 'InvalidArgument',
        $metadata: { httpStatusCode: 400 },
      });
      const del = client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      await expect(del).rejects.toMatchObject({ name: 'InvalidArgument' });
      const copy = client.send(
        new CopyObjectCommand({ Bucket: bucket, Key: 'alias/copy', CopySource: `${bucket}/${key}` }),
      );
      await expect(copy).rejects.toMatchObject({ name: 'InvalidArgument' });
    }
    const batch = client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'alias/a//b' }] } }),
    );
    await expect(batch).rejects.toMatchObject({ name: 'InvalidArgument' });
    const kept = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'alias/a/b' }));
    expect((await bodyOf(kept)).toString()).toBe('original');
  });

  it('refuses an object whose key is the directory of another one, and keeps both intact', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'nest/x', Body: 'file' }));
    const child = client.send(new PutObjectCommand({ Bucket: bucket, Key: 'nest/x/y', Body: 'child' }));
    await expect(child).rejects.toMatchObject({ $metadata: { httpStatusCode: 409 } });
    const kept = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'nest/x' }));
    expect((await bodyOf(kept)).toString()).toBe('file');
  });

  it('stores objects as plain files: <bucketsDir>/<bucket>/<key>', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain/dir/file.txt', Body: 'hello' }));
    expect(await readFile(join(s3.bucketsDir, bucket, 'plain', 'dir', 'file.txt'), 'utf8')).toBe('hello');
  });

  it('multipart: ListMultipartUploads, ListParts, ETag with -N, UploadPartCopy, AbortMultipartUpload', async () => {
    const key = 'mp/object.bin';
    const part1 = Buffer.alloc(5 * MiB, 1);
    const part2 = Buffer.from('tail');
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const uploadId = created.UploadId ?? '';
    const listedUploads = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'mp/' }),
    );
    expect((listedUploads.Uploads ?? []).map((u) => u.UploadId)).toContain(uploadId);

    const p1 = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: part1 }),
    );
    const p2 = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 2, Body: part2 }),
    );
    const parts = await client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    expect((parts.Parts ?? []).map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, part1.length],
      [2, part2.length],
    ]);
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag ?? '' },
            { PartNumber: 2, ETag: p2.ETag ?? '' },
          ],
        },
      }),
    );
    // S3's multipart ETag: md5 of the parts' binary md5s, then "-<part count>".
    const md5s = Buffer.concat([part1, part2].map((p) => createHash('md5').update(p).digest()));
    expect(done.ETag).toBe(`"${createHash('md5').update(md5s).digest('hex')}-2"`);
    const whole = await bodyOf(await client.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    expect(whole.equals(Buffer.concat([part1, part2]))).toBe(true);

    // UploadPartCopy: a new object from a range of the one above.
    const copyKey = 'mp/copied.bin';
    const copy = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: copyKey }));
    const copied = await client.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: copyKey,
        UploadId: copy.UploadId ?? '',
        PartNumber: 1,
        CopySource: `${bucket}/${key}`,
        CopySourceRange: `bytes=${part1.length}-${part1.length + part2.length - 1}`,
      }),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: copyKey,
        UploadId: copy.UploadId ?? '',
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: copied.CopyPartResult?.ETag ?? '' }] },
      }),
    );
    const copiedBody = await bodyOf(
      await client.send(new GetObjectCommand({ Bucket: bucket, Key: copyKey })),
    );
    expect(copiedBody.toString()).toBe('tail');

    // Abort: the upload is gone and no object appears.
    const aborted = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp/aborted' }),
    );
    await client.send(
      new AbortMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/aborted',
        UploadId: aborted.UploadId ?? '',
      }),
    );
    const after = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'mp/' }));
    expect((after.Uploads ?? []).map((u) => u.UploadId)).not.toContain(aborted.UploadId);
    expect(await statusOf(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp/aborted' })))).toBe(
      404,
    );
  });

  it('conditional requests: If-None-Match: * refuses to overwrite, If-Match on GET checks the ETag', async () => {
    const key = 'cond/once.txt';
    const first = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'first' }));
    const refused = client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'second', IfNoneMatch: '*' }),
    );
    expect(await statusOf(refused)).toBe(412);
    const kept = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: first.ETag }));
    expect((await bodyOf(kept)).toString()).toBe('first');
    const stale = client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: '"0000"' }));
    expect(await statusOf(stale)).toBe(412);
  });

  it('stores and returns ChecksumSHA256, CRC32 and CRC64NVME, and computes them on CopyObject', async () => {
    const body = Buffer.from('checksummed body');
    const sha256 = createHash('sha256').update(body).digest('base64');
    for (const algorithm of ['SHA256', 'CRC32', 'CRC64NVME'] as const) {
      const key = `sum/${algorithm}`;
      const put = await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ChecksumAlgorithm: algorithm }),
      );
      const head = await client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      const field = `Checksum${algorithm}` as const;
      expect(head[field]).toBeTruthy();
      expect(head[field]).toBe(put[field]);
      if (algorithm === 'SHA256') expect(head.ChecksumSHA256).toBe(sha256);

      const copy = await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: `${key}-copy`,
          CopySource: `${bucket}/${key}`,
          ChecksumAlgorithm: algorithm,
        }),
      );
      expect(copy.CopyObjectResult?.[field]).toBe(put[field]);
      const copyHead = await client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: `${key}-copy`, ChecksumMode: 'ENABLED' }),
      );
      expect(copyHead[field]).toBe(put[field]);
    }
  });

  it('DeleteObjects with Quiet reports only errors; it deletes only the keys named', async () => {
    for (const key of ['del/a', 'del/ab', 'del/b/child', 'delx/a']) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const out = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [{ Key: 'del/ab' }] } }),
    );
    expect(out.Deleted ?? []).toEqual([]);
    expect(out.Errors ?? []).toEqual([]);
    const left = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'del' }));
    expect((left.Contents ?? []).map((o) => o.Key)).not.toContain('del/ab');
    expect((left.Contents ?? []).map((o) => o.Key)).toContain('delx/a');
    const loud = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'delx/a' }] } }),
    );
    expect((loud.Deleted ?? []).map((d) => d.Key)).toEqual(['delx/a']);
  });

  it('deleting a "dir/" key no one wrote succeeds and leaves the objects under it (as S3; Hadoop S3A relies on it)', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'marker/sub/file.csv', Body: 'data' }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'marker/sub/' }));
    const batch = await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: 'marker/' }, { Key: 'marker/sub/' }] },
      }),
    );
    expect(batch.Errors ?? []).toEqual([]);
    expect((batch.Deleted ?? []).map((d) => d.Key).sort()).toEqual(['marker/', 'marker/sub/']);
    const quiet = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [{ Key: 'marker/' }] } }),
    );
    expect([...(quiet.Deleted ?? []), ...(quiet.Errors ?? [])]).toEqual([]);
    const kept = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'marker/sub/file.csv' }));
    expect((await bodyOf(kept)).toString()).toBe('data');
  });

  it('ranged GETs return the bytes asked for', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'range/abc', Body: '0123456789' }));
    const got = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'range/abc', Range: 'bytes=2-5' }),
    );
    expect(got.ContentRange).toBe('bytes 2-5/10');
    expect((await bodyOf(got)).toString()).toBe('2345');
    const suffix = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'range/abc', Range: 'bytes=-3' }),
    );
    expect((await bodyOf(suffix)).toString()).toBe('789');
  });

  it('pages list v1 (Marker) and v2 (ContinuationToken, StartAfter) and groups by delimiter', async () => {
    const keys = ['page/1', 'page/2', 'page/3', 'page/4', 'page/5', 'page/sub/x'];
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const v2: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'page/', MaxKeys: 2, ContinuationToken: token }),
      );
      expect((page.Contents ?? []).length).toBeLessThanOrEqual(2);
      v2.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(v2).toEqual(keys);

    const v1: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListObjectsCommand({ Bucket: bucket, Prefix: 'page/', MaxKeys: 2, Marker: marker }),
      );
      const got = (page.Contents ?? []).map((o) => o.Key ?? '');
      v1.push(...got);
      if (!page.IsTruncated) break;
      marker = page.NextMarker ?? got.at(-1);
    }
    expect(v1).toEqual(keys);

    const after = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'page/', StartAfter: 'page/4' }),
    );
    expect((after.Contents ?? []).map((o) => o.Key)).toEqual(['page/5', 'page/sub/x']);
    const grouped = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'page/', Delimiter: '/' }),
    );
    expect((grouped.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(['page/sub/']);
  });

  it('versioning: every PUT keeps a version; ListObjectVersions and GET by VersionId see them', async () => {
    const vb = 'fidelity-versions';
    await client.send(new CreateBucketCommand({ Bucket: vb }));
    await client.send(
      new PutBucketVersioningCommand({ Bucket: vb, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = await client.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'one' }));
    const v2 = await client.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'two' }));
    expect(v1.VersionId).toBeTruthy();
    expect(v2.VersionId).not.toBe(v1.VersionId);
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: vb, Prefix: 'k' }));
    expect((versions.Versions ?? []).map((v) => v.VersionId).sort()).toEqual(
      [v1.VersionId, v2.VersionId].sort(),
    );
    const old = await client.send(new GetObjectCommand({ Bucket: vb, Key: 'k', VersionId: v1.VersionId }));
    expect((await bodyOf(old)).toString()).toBe('one');
  });

  it('keys with .. never leave the bucket nor the data directory', async () => {
    const victim = 'fidelity-victim';
    await client.send(new CreateBucketCommand({ Bucket: victim }));
    await client.send(new PutObjectCommand({ Bucket: victim, Key: 'keep.txt', Body: 'victim data' }));
    const escapes = ['../fidelity-victim/keep.txt', 'a/../../fidelity-victim/keep.txt', '../../escaped.txt'];
    for (const key of escapes) {
      await client
        .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'attack' }))
        .catch(() => undefined);
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    }
    const kept = await client.send(new GetObjectCommand({ Bucket: victim, Key: 'keep.txt' }));
    expect((await bodyOf(kept)).toString()).toBe('victim data');
    expect(existsSync(join(dataDir, 'escaped.txt'))).toBe(false);
    expect(existsSync(join(dataDir, '..', 'escaped.txt'))).toBe(false);
    expect(readdirSync(dataDir).sort()).toEqual(['buckets', 'meta', 'versions']);
  });

  it('checks SigV4 signatures like S3: a wrong secret is refused', async () => {
    const wrong = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    try {
      expect(
        await statusOf(wrong.send(new HeadObjectCommand({ Bucket: bucket, Key: 'plain/dir/file.txt' }))),
      ).toBe(403);
    } finally {
      wrong.destroy();
    }
  });
});
