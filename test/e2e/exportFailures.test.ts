import { gunzipSync } from 'node:zlib';
import { DescribeStatementCommand, ListStatementsCommand } from '@aws-sdk/client-redshift-data';
import type { S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, type HistoryEvent } from '@aws-sdk/client-sfn';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getRuntime } from '../../functions/_shared/runtime.ts';
import { exportJobDocument } from '../helpers/exportJobDocument.ts';
import { getObjectBytes, listKeys } from '../helpers/s3Objects.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * The export's failure paths on the whole local stack (Step Functions API, Data API emulator,
 * S3): a part failing once (retried, no duplicate), a part failing always (cleanup, named error,
 * empty destination), the poll deadline (statement cancelled) and a run started twice.
 *
 * Faults are injected into the handlers' own S3 client (the runtime is shared with this process,
 * where the local Step Functions runs the handlers): a middleware before the SDK's retry step
 * throws the error S3 would return, for chosen requests only. No production code knows about it.
 */

const ROWS = 400;
let t: TestStack;

interface Fault {
  /** e.g. `PutObjectCommand`. */
  command: string;
  /** Fails requests whose `Key` ends with this. */
  keySuffix: string;
  /** How many matching requests fail (Infinity: all). */
  times: number;
  error: () => Error;
  /** Resolves before the fault is thrown (orders the failure after other work). */
  before?: () => Promise<void>;
  hits: number;
}
const faults: Fault[] = [];
/** Completed requests by command and key, so a fault can wait for other parts to be written. */
const completed: { command: string; key: string }[] = [];
const completedListeners = new Set<() => void>();

function s3Error(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

function installFaults(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const key = (args.input as { Key?: string }).Key ?? '';
      const fault = faults.find(
        (f) => f.command === command && key.endsWith(f.keySuffix) && f.hits < f.times,
      );
      if (fault !== undefined) {
        fault.hits++;
        await fault.before?.();
        throw fault.error();
      }
      const out = await next(args);
      completed.push({ command, key });
      for (const listener of completedListeners) listener();
      return out;
    },
    { step: 'initialize', name: 'exportFailuresTestFaults' },
  );
}

/** Resolves once `count` PutObject or CopyObject (zero-copy parts) requests under `prefix` have completed. */
function whenPutsCompleted(prefix: string, count: number): Promise<void> {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  const check = () => {
    const n = completed.filter(
      (c) =>
        (c.command === 'PutObjectCommand' || c.command === 'CopyObjectCommand') && c.key.startsWith(prefix),
    ).length;
    if (n >= count) {
      completedListeners.delete(check);
      resolve();
    }
  };
  completedListeners.add(check);
  check();
  return promise;
}

function keys(bucket: string, prefix: string): Promise<string[]> {
  return listKeys(t.clients.s3, bucket, prefix);
}

async function text(bucket: string, key: string): Promise<string> {
  const body = await getObjectBytes(t.clients.s3, bucket, key);
  return (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
}

function job(name: string, overrides: Record<string, unknown> = {}) {
  return exportJobDocument(name, t.database, 'select id, label from items', overrides);
}

/** The ids in every data line of the destination's parts (CSV with header). */
async function exportedIds(prefix: string): Promise<number[]> {
  const ids: number[] = [];
  for (const key of (await keys('rt-exports', prefix)).filter((k) => /part-\d{5}-[\w-]+\.csv\.gz$/.test(k))) {
    const lines = (await text('rt-exports', key)).split('\n').filter((l) => l !== '');
    expect(lines[0]).toBe('id,label');
    for (const line of lines.slice(1)) ids.push(Number(line.split(',')[0]));
  }
  return ids.sort((a, b) => a - b);
}

const allIds = Array.from({ length: ROWS }, (_, i) => i + 1);

function taskEvents(history: HistoryEvent[], type: string) {
  return history.filter((e) => e.type === type);
}

beforeAll(async () => {
  t = await startTestStack();
  const db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query('create table items (id int primary key, label varchar(50))');
  await db.query(`insert into items select i, 'item ' || i from generate_series(1, ${ROWS}) i`);
  await db.end();
  installFaults(getRuntime().clients.s3);
});

afterEach(() => {
  faults.length = 0;
  completed.length = 0;
  completedListeners.clear();
});

afterAll(async () => {
  await t?.stop();
});

describe('export failures (local stack)', () => {
  it('retries a part whose upload fails once (S3 503) and publishes every row exactly once', async () => {
    faults.push({
      command: 'CopyObjectCommand',
      keySuffix: 'retry-once/2024-04-01/part-00001-r1.csv.gz',
      times: 1,
      error: () => s3Error('SlowDown', 503, 'Please reduce your request rate.'),
      hits: 0,
    });
    const result = await t.run('export', { job: job('retry-once'), runId: 'r1', runDate: '2024-04-01' });
    expect(result.error, result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    expect(faults[0]?.hits).toBe(1);

    // The ASL retried the part: one failed and then a succeeded invocation of ProcessPart for it.
    const failures = taskEvents(result.history, 'LambdaFunctionFailed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ lambdaFunctionFailedEventDetails: { error: 'TransientError' } });
    expect(
      (failures[0] as { lambdaFunctionFailedEventDetails: { cause: string } })
        .lambdaFunctionFailedEventDetails.cause,
    ).toMatch(/SlowDown/);

    const written = await keys('rt-exports', 'retry-once/2024-04-01/');
    expect(written).toEqual([
      'retry-once/2024-04-01/_SUCCESS',
      'retry-once/2024-04-01/_manifest.json',
      'retry-once/2024-04-01/part-00000-r1.csv.gz',
      'retry-once/2024-04-01/part-00001-r1.csv.gz',
      'retry-once/2024-04-01/part-00002-r1.csv.gz',
      'retry-once/2024-04-01/part-00003-r1.csv.gz',
    ]);
    expect(await exportedIds('retry-once/2024-04-01/')).toEqual(allIds);
    const manifest = JSON.parse(await text('rt-exports', 'retry-once/2024-04-01/_manifest.json'));
    expect(manifest.rows).toBe(ROWS);
    expect(manifest.parts).toHaveLength(4);
  });

  it('fails a part that always fails with PartProcessingError, after cleanup removed every output', async () => {
    // Part 2 fails only once the other three are in the destination, so cleanup has work to do.
    faults.push({
      command: 'CopyObjectCommand',
      keySuffix: 'always-fails/2024-04-02/part-00002-r1.csv.gz',
      times: Number.POSITIVE_INFINITY,
      before: () => whenPutsCompleted('always-fails/2024-04-02/part-', 3),
      error: () => s3Error('AccessDenied', 403, 'Access Denied'),
      hits: 0,
    });
    const result = await t.run('export', { job: job('always-fails'), runId: 'r1', runDate: '2024-04-02' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PartProcessingError');
    expect(result.cause).toMatch(/part-00002-r1\.csv\.gz/);
    expect(result.cause).toMatch(/AccessDenied/);
    expect(faults[0]?.hits).toBe(1); // not retried: access denied is not transient

    const cleanup = result.history.find(
      (e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'CleanupExport',
    );
    const report = JSON.parse(cleanup?.stateExitedEventDetails?.output ?? '{}').cleanup;
    expect(report).toMatchObject({ cancelledStatement: false, removedOutputs: 3, problems: [] });
    expect(report.removedStaging).toBeGreaterThan(0);
    expect(await keys('rt-exports', 'always-fails/')).toEqual([]);
    expect(await keys('rt-staging', 'always-fails/')).toEqual([]);
    expect(await keys('rt-state', 'runs/always-fails/')).toEqual([]);
  });

  it('cancels a statement that outlives its deadline and fails with DeadlineExceededError', async () => {
    const result = await t.run('export', {
      job: job('deadline', {
        query: 'select id, label from items where pg_sleep(60) is not null',
        timeouts: { statement: 1 },
      }),
      runId: 'deadline-run-1',
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DeadlineExceededError');
    expect(result.cause).toMatch(/after its 1 s deadline and was cancelled/);

    const listed = await t.clients.redshiftData.send(
      new ListStatementsCommand({ StatementName: 'rt:deadline:deadline-run-1:unload', Status: 'ALL' }),
    );
    expect(listed.Statements).toHaveLength(1);
    const described = await t.clients.redshiftData.send(
      new DescribeStatementCommand({ Id: listed.Statements?.[0]?.Id ?? '' }),
    );
    expect(described.Status).toBe('ABORTED');
    expect(await keys('rt-exports', 'deadline/')).toEqual([]);
    expect(await keys('rt-staging', 'deadline/')).toEqual([]);
  });

  it('runs a run started twice under the same execution name once', async () => {
    const input = { job: job('started-twice'), runDate: '2024-04-03' };
    const first = await t.start('export', input, 'nightly-2024-04-03');
    const second = await t.start('export', input, 'nightly-2024-04-03');
    expect(second).toBe(first);
    const done = await t.whenDone(first);
    expect(done.status).toBe('SUCCEEDED');
    // Once closed, the name is taken: a third start is refused instead of exporting again.
    await expect(t.start('export', input, 'nightly-2024-04-03')).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    const started = taskEvents(done.history, 'TaskStateEntered').filter(
      (e) =>
        (e as { stateEnteredEventDetails?: { name?: string } }).stateEnteredEventDetails?.name ===
        'StartUnload',
    );
    expect(started).toHaveLength(1);
    expect(await exportedIds('started-twice/2024-04-03/')).toEqual(allIds);
  });

  it('refuses to run a published run id again, leaving its output byte for byte', async () => {
    const input = { job: job('same-run-id'), runId: 'fixed-run-1', runDate: '2024-04-04' };
    const first = await t.run('export', input);
    expect(first.error, first.cause).toBeUndefined();
    const prefix = 'same-run-id/2024-04-04/';
    const before = await Promise.all(
      (await keys('rt-exports', prefix)).map(async (k) => [k, await text('rt-exports', k)]),
    );
    const second = await t.run('export', input);
    // Publishing the same run id again would overwrite the published parts in place.
    expect(second.error).toBe('DestinationNotEmptyError');
    expect(second.cause).toMatch(/already holds the published output of run fixed-run-1/);
    const after = await Promise.all(
      (await keys('rt-exports', prefix)).map(async (k) => [k, await text('rt-exports', k)]),
    );
    expect(after).toEqual(before);
    expect(await exportedIds(prefix)).toEqual(allIds);
  });
});
