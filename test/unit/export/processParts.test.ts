import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetRuntime } from '../../../functions/_shared/runtime.ts';
import { handler as processPartsHandler } from '../../../functions/processParts.ts';
import { JobValidationError, PartProcessingError, TransientError } from '../../../src/errors.ts';
import { copyPart } from '../../../src/export/copyPart.ts';
import { planParts } from '../../../src/export/planParts.ts';
import { processPart } from '../../../src/export/processParts.ts';
import { useMetricsFile } from '../../helpers/metricsFile.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';
import { createBuckets, finishedStatement, keys, planRun, put, stageUnload } from './fixtures.ts';

// Handler metric lines go to a temporary file, not the test output.
useMetricsFile();

let s3: TestS3;
const savedEnv = { ...process.env };

/** Requests to fail: by command name, `times` times, with the error S3 would return. */
let faults: { command: string; times: number; error: () => Error }[] = [];

function s3Error(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

beforeAll(async () => {
  s3 = await startTestS3();
  await createBuckets(s3.client);
  // Before the SDK's own retries, so a fault reaches our code as S3's final answer.
  s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      const fault = faults.find((f) => f.command === context.commandName && f.times > 0);
      if (fault !== undefined) {
        fault.times--;
        throw fault.error();
      }
      return next(args);
    },
    { step: 'initialize', name: 'processPartsTestFaults' },
  );
});

beforeEach(() => {
  faults = [];
});

afterAll(async () => {
  process.env = savedEnv;
  resetRuntime();
  await s3?.stop();
});

async function planned(name: string, partIds: number[][], overrides: Record<string, unknown> = {}) {
  const run = await planRun(name, overrides);
  await stageUnload(s3.client, run, partIds);
  const plan = await planParts(s3.client, { ...run, statement: finishedStatement(null) }, 'rt-state');
  return { run, plan, ctx: { ...run, schema: plan.schema }, parts: plan.parts ?? [] };
}

/** The streaming path (`verify: full`): every part passes through the function and is counted. */
const FULL = { process: { verify: 'full' } };

describe('processPart (local S3)', () => {
  it('writes the part at its deterministic key; processing it again overwrites, never duplicates', async () => {
    const { ctx, parts } = await planned('pp-again', [[1, 2, 3]], FULL);
    const part = parts[0];
    if (part === undefined) throw new Error('no part planned');
    const first = await processPart(s3.client, ctx, part);
    expect(first).toMatchObject({
      index: 0,
      source: 's3://rt-staging/pp-again/pp-again-run/0000_part_00.gz',
      url: 's3://rt-exports/pp-again/2024-06-01/part-00000-pp-again-run.csv.gz',
      records: 4,
      rows: 3,
      verified: 'records',
    });
    const again = await processPart(s3.client, ctx, part);
    expect(again).toEqual(first);
    expect(await keys(s3.client, 'rt-exports', 'pp-again/')).toEqual([
      'pp-again/2024-06-01/part-00000-pp-again-run.csv.gz',
    ]);
  });

  it('turns an upload failing mid-stream with a 5xx into TransientError, so the Map retries it', async () => {
    // Over the 8 MB upload part size: the first UploadPart is sent while the part is still streaming.
    const ids = Array.from({ length: 700_000 }, (_, i) => i + 1);
    const { ctx, parts } = await planned('pp-midstream', [ids], {
      unload: { format: 'csv', header: true },
      ...FULL,
    });
    const part = parts[0];
    if (part === undefined) throw new Error('no part planned');
    expect(part.contentLength).toBeGreaterThan(9 * 1024 * 1024);
    faults.push({
      command: 'UploadPartCommand',
      times: 1,
      error: () => s3Error('InternalError', 500, 'We encountered an internal error.'),
    });
    const failed = processPart(s3.client, ctx, part);
    await expect(failed).rejects.toBeInstanceOf(TransientError);
    await expect(failed).rejects.toThrow(/InternalError: We encountered an internal error/);
    // The retry succeeds and writes the whole part once.
    const retried = await processPart(s3.client, ctx, part);
    expect(retried).toMatchObject({ rows: ids.length, bytesOut: part.contentLength });
    expect(await keys(s3.client, 'rt-exports', 'pp-midstream/')).toEqual([
      'pp-midstream/2024-06-01/part-00000-pp-midstream-run.csv',
    ]);
  });

  it('turns a read throttled by S3 into TransientError', async () => {
    const { ctx, parts } = await planned('pp-throttled', [[1]], FULL);
    faults.push({
      command: 'GetObjectCommand',
      times: 1,
      error: () => s3Error('SlowDown', 503, 'Please reduce your request rate.'),
    });
    await expect(processPart(s3.client, ctx, parts[0] as (typeof parts)[0])).rejects.toBeInstanceOf(
      TransientError,
    );
  });

  it('names the part, its output and S3 error in a PartProcessingError when access is denied', async () => {
    const { ctx, parts } = await planned('pp-denied', [[1]], FULL);
    faults.push({
      command: 'PutObjectCommand',
      times: 1,
      error: () => s3Error('AccessDenied', 403, 'Access Denied'),
    });
    await expect(processPart(s3.client, ctx, parts[0] as (typeof parts)[0])).rejects.toThrow(
      new PartProcessingError(
        'Part 0 (s3://rt-staging/pp-denied/pp-denied-run/0000_part_00.gz -> s3://rt-exports/pp-denied/2024-06-01/part-00000-pp-denied-run.csv.gz) failed: AccessDenied: Access Denied. Check that the role can read the staging prefix and write the destination, then run the export again.',
      ),
    );
  });

  it('rejects a part that does not match the UNLOAD manifest, and writes nothing', async () => {
    const { ctx, parts } = await planned('pp-changed', [[1, 2]]);
    await put(s3.client, 'rt-staging', 'pp-changed/pp-changed-run/0000_part_00.gz', 'not what UNLOAD wrote');
    const failing = processPart(s3.client, ctx, parts[0] as (typeof parts)[0]);
    await expect(failing).rejects.toBeInstanceOf(PartProcessingError);
    await expect(failing).rejects.toThrow(
      /^s3:\/\/rt-staging\/pp-changed\/pp-changed-run\/0000_part_00\.gz: /,
    );
    expect(await keys(s3.client, 'rt-exports', 'pp-changed/')).toEqual([]);
  });
});

describe('zero-copy (verify: manifest, the default)', () => {
  /** S3 requests the client sends, as `Command key`, recorded from the next one on. */
  function recordRequests(): string[] {
    const seen: string[] = [];
    s3.client.middlewareStack.remove('zeroCopyRecorder');
    s3.client.middlewareStack.add(
      (next, context) => async (args) => {
        seen.push(`${context.commandName} ${(args.input as { Key?: string }).Key ?? ''}`);
        return next(args);
      },
      { step: 'initialize', name: 'zeroCopyRecorder' },
    );
    return seen;
  }

  it('copies an unchanged part inside S3: the same bytes, rows from the manifest, S3-format SHA-256, the source never read here', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => i + 1);
    const { ctx, parts } = await planned('zc-copy', [ids, [7]]);
    const part = parts[0];
    if (part === undefined) throw new Error('no part planned');
    const seen = recordRequests();
    const result = await processPart(s3.client, ctx, part);
    s3.client.middlewareStack.remove('zeroCopyRecorder');

    const source = await s3.getBytes('rt-staging', 'zc-copy/zc-copy-run/0000_part_00.gz');
    const copied = await s3.getBytes('rt-exports', 'zc-copy/2024-06-01/part-00000-zc-copy-run.csv.gz');
    expect(copied.equals(source)).toBe(true);
    // Independent oracle: the rows in the copy, counted after gunzip.
    const lines = gunzipSync(copied)
      .toString()
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length - 1).toBe(ids.length);
    const sha = createHash('sha256').update(source);
    const hex = sha.copy().digest('hex');
    expect(result).toEqual({
      index: 0,
      source: 's3://rt-staging/zc-copy/zc-copy-run/0000_part_00.gz',
      url: 's3://rt-exports/zc-copy/2024-06-01/part-00000-zc-copy-run.csv.gz',
      records: ids.length + 1,
      rows: ids.length,
      bytesIn: source.length,
      bytesOut: source.length,
      sha256: hex,
      checksum: `SHA256:${sha.digest('base64')}`,
      verified: 'manifest',
      lambdaBytes: 0,
    });
    const staged = 'zc-copy/zc-copy-run/0000_part_00.gz';
    // The function never reads a part: S3 reports the copy's checksum (the local S3 computes it too).
    expect(seen.filter((r) => r.startsWith('GetObjectCommand'))).toEqual([]);
    expect(seen).toContain(`HeadObjectCommand ${staged}`);
    expect(seen.filter((r) => /^(PutObject|UploadPart)Command /.test(r))).toEqual([]);
    expect(seen).toContain('CopyObjectCommand zc-copy/2024-06-01/part-00000-zc-copy-run.csv.gz');
  });

  it('copies a part above the single-copy limit part by part (UploadPartCopy) with the same bytes', async () => {
    const ids = Array.from({ length: 700_000 }, (_, i) => i + 1);
    const { parts } = await planned('zc-multipart', [ids], { unload: { format: 'csv', header: true } });
    const part = parts[0];
    if (part === undefined) throw new Error('no part planned');
    expect(part.contentLength).toBeGreaterThan(10 * 1024 * 1024);
    const mib = 1024 * 1024;
    const copied = await copyPart(
      s3.client,
      part,
      { bucket: 'rt-exports', key: 'zc-multipart/copy.csv', contentType: 'text/csv' },
      { singleCopyMaxBytes: 5 * mib, copyPartBytes: 5 * mib },
    );
    const source = await s3.getBytes('rt-staging', 'zc-multipart/zc-multipart-run/0000_part_00');
    const target = await s3.getBytes('rt-exports', 'zc-multipart/copy.csv');
    expect(target.equals(source)).toBe(true);
    expect(copied.bytes).toBe(source.length);
    // S3 keeps only a composite SHA-256 for multipart objects: the full-object checksum is a CRC64NVME.
    expect(copied.checksum).toMatch(/^CRC64NVME:[A-Za-z0-9+/]{11}=$/);
    expect(copied).toMatchObject({ sha256: '', lambdaBytes: 0 });
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: 'rt-exports', Key: 'zc-multipart/copy.csv', ChecksumMode: 'ENABLED' }),
    );
    expect(`CRC64NVME:${head.ChecksumCRC64NVME}`).toBe(copied.checksum);
  });

  it('refuses a truncated part (size differs from content_length) and publishes nothing', async () => {
    const { ctx, parts } = await planned('zc-truncated', [[1, 2, 3, 4]]);
    const key = 'zc-truncated/zc-truncated-run/0000_part_00.gz';
    const whole = await s3.getBytes('rt-staging', key);
    await put(s3.client, 'rt-staging', key, whole.subarray(0, whole.length - 5));
    const failing = processPart(s3.client, ctx, parts[0] as (typeof parts)[0]);
    await expect(failing).rejects.toBeInstanceOf(PartProcessingError);
    await expect(failing).rejects.toThrow(
      `s3://rt-staging/${key}: the object holds ${whole.length - 5} bytes but the manifest says content_length ${whole.length}`,
    );
    expect(await keys(s3.client, 'rt-exports', 'zc-truncated/')).toEqual([]);
  });

  it('verify: full still catches a truncated part and a part altered at the same size', async () => {
    const job = { unload: { format: 'csv', compression: 'none', header: true }, ...FULL };
    const truncated = await planned('zc-full-truncated', [[1, 2, 3]], job);
    const tKey = 'zc-full-truncated/zc-full-truncated-run/0000_part_00';
    const tBody = await s3.getBytes('rt-staging', tKey);
    await put(s3.client, 'rt-staging', tKey, tBody.subarray(0, tBody.length - 9));
    await expect(
      processPart(s3.client, truncated.ctx, truncated.parts[0] as (typeof truncated.parts)[0]),
    ).rejects.toThrow(/read \d+ bytes but the manifest says content_length/);

    // Same size, one record less: a line break turned into a space (what a size check cannot see).
    const altered = await planned('zc-full-altered', [[1, 2, 3]], job);
    const aKey = 'zc-full-altered/zc-full-altered-run/0000_part_00';
    const aBody = Buffer.from(await s3.getBytes('rt-staging', aKey));
    aBody[aBody.indexOf('\n2,')] = 0x20;
    await put(s3.client, 'rt-staging', aKey, aBody);
    const failing = processPart(s3.client, altered.ctx, altered.parts[0] as (typeof altered.parts)[0]);
    await expect(failing).rejects.toBeInstanceOf(PartProcessingError);
    await expect(failing).rejects.toThrow(/found 3 records but the manifest says record_count 4/);
    expect(await keys(s3.client, 'rt-exports', 'zc-full-')).toEqual([]);
  });

  it('streams a part that is converted even with verify: manifest', async () => {
    const { ctx, parts } = await planned('zc-convert', [[1, 2]], { process: { convert: 'csv-to-jsonl' } });
    const result = await processPart(s3.client, ctx, parts[0] as (typeof parts)[0]);
    expect(result).toMatchObject({ rows: 2, verified: 'records' });
    expect(result.lambdaBytes).toBe(result.bytesIn + result.bytesOut);
  });

  it('turns a throttled copy into TransientError and names the part on access denied', async () => {
    const { ctx, parts } = await planned('zc-faults', [[1]]);
    const part = parts[0] as (typeof parts)[0];
    faults.push({
      command: 'CopyObjectCommand',
      times: 1,
      error: () => s3Error('SlowDown', 503, 'Please reduce your request rate.'),
    });
    await expect(processPart(s3.client, ctx, part)).rejects.toBeInstanceOf(TransientError);
    faults.push({
      command: 'CopyObjectCommand',
      times: 1,
      error: () => s3Error('AccessDenied', 403, 'Access Denied'),
    });
    const denied = processPart(s3.client, ctx, part);
    await expect(denied).rejects.toBeInstanceOf(PartProcessingError);
    await expect(denied).rejects.toThrow(
      'Part 0 (s3://rt-staging/zc-faults/zc-faults-run/0000_part_00.gz -> s3://rt-exports/zc-faults/2024-06-01/part-00000-zc-faults-run.csv.gz) failed: AccessDenied: Access Denied. Check that the role can read the staging prefix and write the destination, then run the export again.',
    );
  });
});

describe('processParts handler', () => {
  beforeAll(() => {
    process.env.RT_ENDPOINT_S3 = s3.endpoint;
    process.env.RT_LOG_LEVEL = 'SILENT';
    resetRuntime();
  });
  const context = { awsRequestId: 'test' } as Context;

  it('processes a Distributed Map batch ({ Items, BatchInput }) in order', async () => {
    const { run, plan, parts } = await planned('pp-batch', [[1], [2, 3], [4]]);
    const out = await processPartsHandler(
      {
        Items: parts,
        BatchInput: {
          runId: run.runId,
          job: run.job,
          staging: run.staging,
          destination: run.destination,
          schema: plan.schema,
        },
      },
      context,
    );
    expect(out.parts.map((p) => [p.index, p.rows, p.url])).toEqual([
      [0, 1, 's3://rt-exports/pp-batch/2024-06-01/part-00000-pp-batch-run.csv.gz'],
      [1, 2, 's3://rt-exports/pp-batch/2024-06-01/part-00001-pp-batch-run.csv.gz'],
      [2, 1, 's3://rt-exports/pp-batch/2024-06-01/part-00002-pp-batch-run.csv.gz'],
    ]);
    const body = await s3.getBytes('rt-exports', 'pp-batch/2024-06-01/part-00001-pp-batch-run.csv.gz');
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('rejects an input that is neither one part nor a batch, listing the problems', async () => {
    const call = processPartsHandler({ Items: [], BatchInput: {} }, context);
    await expect(call).rejects.toBeInstanceOf(JobValidationError);
    await expect(call).rejects.toThrow(/^Invalid input for task processParts/);
  });
});
