import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetRuntime } from '../../../functions/_shared/runtime.ts';
import { handler as processPartsHandler } from '../../../functions/processParts.ts';
import { JobValidationError, PartProcessingError, TransientError } from '../../../src/errors.ts';
import { planParts } from '../../../src/export/planParts.ts';
import { processPart } from '../../../src/export/processParts.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';
import { createBuckets, finishedStatement, keys, planRun, put, stageUnload } from './fixtures.ts';

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

describe('processPart (local S3)', () => {
  it('writes the part at its deterministic key; processing it again overwrites, never duplicates', async () => {
    const { ctx, parts } = await planned('pp-again', [[1, 2, 3]]);
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
    const { ctx, parts } = await planned('pp-midstream', [ids], { unload: { format: 'csv', header: true } });
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
    const { ctx, parts } = await planned('pp-throttled', [[1]]);
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
    const { ctx, parts } = await planned('pp-denied', [[1]]);
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
