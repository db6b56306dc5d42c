import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineHandler } from '../../../../functions/_shared/defineHandler.ts';
import { getRuntime, resetRuntime } from '../../../../functions/_shared/runtime.ts';
import { JobValidationError, StatementFailedError } from '../../../../src/errors.ts';

const context = { awsRequestId: 'req-1' } as Context;

/** The JSON log lines the Powertools logger writes (errors go to stderr) while `act` runs. */
async function logLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  return (await jsonLines(act)).filter((line) => !('_aws' in line));
}

/** The embedded-metric lines (Powertools Metrics) written while `act` runs. */
async function metricLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  return (await jsonLines(act)).filter((line) => '_aws' in line);
}

async function jsonLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await act().catch(() => undefined);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('defineHandler', () => {
  beforeEach(() => {
    vi.stubEnv('RT_LOG_LEVEL', 'INFO');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    resetRuntime();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    resetRuntime();
  });

  const spec = {
    name: 'double',
    input: z.object({ runId: z.string(), n: z.number().int() }),
  };

  it('publishes the metrics of a result, and TaskErrors for a failure, as embedded-metric lines', async () => {
    const ok = defineHandler({
      ...spec,
      run: async (input: { n: number }) => ({ rows: input.n }),
      metrics: (input: { runId: string }, result: { rows: number }) => ({
        job: 'j1',
        metrics: [{ name: 'Rows' as const, value: result.rows }],
        metadata: { step: input.runId },
      }),
    });
    const [line] = await metricLines(() => ok({ runId: 'r1', n: 7 }, context));
    expect(line).toMatchObject({ service: 'redshift-transfer', job: 'j1', Rows: 7, runId: 'r1', step: 'r1' });
    expect(line?._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: 'RedshiftTransfer',
          Dimensions: [['service', 'job']],
          Metrics: [{ Name: 'Rows', Unit: 'Count' }],
        },
      ],
    });
    const failing = defineHandler({
      ...spec,
      run: async () => {
        throw new StatementFailedError('boom');
      },
    });
    const [error] = await metricLines(() => failing({ runId: 'r2', n: 1 }, context));
    expect(error).toMatchObject({
      TaskErrors: 1,
      task: 'double',
      errorName: 'StatementFailedError',
      runId: 'r2',
    });
  });

  it('passes the parsed input and the process runtime to run, and returns its result', async () => {
    const run = vi.fn(async (input: { n: number }) => ({ doubled: input.n * 2 }));
    const handler = defineHandler({ ...spec, run });
    await expect(handler({ runId: 'r1', n: 21 }, context)).resolves.toEqual({ doubled: 42 });
    expect(run).toHaveBeenCalledWith({ runId: 'r1', n: 21 }, getRuntime());
    expect(getRuntime().env.AWS_REGION).toBe('eu-west-1');
  });

  it('rejects a bad input with a JobValidationError listing every problem by path', async () => {
    const run = vi.fn(async () => 'never');
    const handler = defineHandler({ ...spec, run });
    let error: unknown;
    // Captured, not printed: the failure is counted (TaskErrors) and logged like any other.
    const metrics = await metricLines(async () => {
      error = await handler({ n: 1.5 }, context).catch((e: unknown) => e);
    });
    expect(metrics).toEqual([expect.objectContaining({ TaskErrors: 1, errorName: 'JobValidationError' })]);
    expect(error).toBeInstanceOf(JobValidationError);
    expect((error as JobValidationError).issues).toEqual([
      'runId: Invalid input: expected string, received undefined',
      'n: Invalid input: expected int, received number',
    ]);
    expect(run).not.toHaveBeenCalled();
  });

  it('rethrows a failure untouched and logs it once with its name, the task and the run id', async () => {
    const failure = new StatementFailedError('UNLOAD failed: permission denied', {
      context: { statementId: 's-1' },
    });
    const handler = defineHandler({
      ...spec,
      run: async () => {
        throw failure;
      },
    });
    let thrown: unknown;
    const lines = await logLines(async () => {
      thrown = await handler({ runId: 'r2', n: 1 }, context).catch((e: unknown) => e);
    });
    expect(thrown).toBe(failure);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'ERROR',
      message: 'double failed',
      service: 'redshift-transfer',
      task: 'double',
      runId: 'r2',
      requestId: 'req-1',
      errorName: 'StatementFailedError',
      errorMessage: 'UNLOAD failed: permission denied',
      context: { statementId: 's-1' },
    });
  });

  it("does not carry one invocation's run id into the next", async () => {
    const handler = defineHandler({
      name: 'fails',
      input: z.object({ runId: z.string().optional() }),
      run: async () => {
        throw new StatementFailedError('boom');
      },
    });
    await logLines(() => handler({ runId: 'first' }, context));
    const lines = await logLines(() => handler({}, context));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('runId');
  });
});
