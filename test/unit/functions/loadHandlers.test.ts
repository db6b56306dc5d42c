import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetRuntime } from '../../../functions/_shared/runtime.ts';
import { readEnv } from '../../../src/config/env.ts';
import { ConfigError, JobValidationError } from '../../../src/errors.ts';
import { clusterSlices } from '../../../src/load/clusterSlices.ts';
import { useMetricsFile } from '../../helpers/metricsFile.ts';

const context = {} as Context;

afterEach(() => {
  resetRuntime();
});

describe('Handler: s3EventTrigger', () => {
  it('needs RT_LOAD_STATE_MACHINE_ARN', async () => {
    vi.stubEnv('RT_LOG_LEVEL', 'SILENT');
    vi.stubEnv('RT_LOAD_STATE_MACHINE_ARN', '');
    const { handler } = await import('../../../functions/s3EventTrigger.ts');
    await expect(handler({ Records: [] }, context)).rejects.toThrow(ConfigError);
  });
});

describe('Handler: startLoadPlan', () => {
  // The TaskErrors metric lines of the refused inputs go to a file, as on the local stack.
  const metrics = useMetricsFile();

  it('refuses a job of another kind, and a load without sources, before any SQL', async () => {
    vi.stubEnv('RT_LOG_LEVEL', 'SILENT');
    vi.stubEnv('RT_ENDPOINT_REDSHIFT_DATA', 'http://127.0.0.1:9');
    const { handler } = await import('../../../functions/startLoadPlan.ts');
    const load = {
      kind: 'load',
      name: 'events',
      target: { workgroupName: 'wg', database: 'dev' },
      iamRole: 'arn:aws:iam::123456789012:role/Copy',
      table: 'events',
      trigger: { bucket: 'landing' },
      staging: 's3://stage/loads/',
    };
    await expect(handler({ input: { job: { ...load, kind: 'transfer' } } }, context)).rejects.toThrow(
      JobValidationError,
    );
    await expect(handler({ input: { job: load } }, context)).rejects.toThrow(
      'Job "events" has no "source": it loads the object of an S3 event. Start it from the trigger, or give source.objects to load by hand.',
    );
  });

  it('rejects an input that is not an execution input, listing the problems', async () => {
    vi.stubEnv('RT_LOG_LEVEL', 'SILENT');
    const { handler } = await import('../../../functions/startLoadPlan.ts');
    await expect(handler({ input: { runId: 'x' } }, context)).rejects.toThrow(
      /Invalid input for task startLoadPlan:\n {2}- input: give exactly one of "job"/,
    );
    expect((await metrics.lines()).at(-1)).toMatchObject({
      task: 'startLoadPlan',
      errorName: 'JobValidationError',
      TaskErrors: 1,
    });
  });
});

describe('Function: readEnv (the load variables) / clusterSlices', () => {
  it('parses the variables and names a bad one', () => {
    expect(readEnv({ RT_CLUSTER_SLICES: '8' })).toMatchObject({
      RT_CLUSTER_SLICES: 8,
      RT_JOBS_DIR: 'jobs',
      RT_LOAD_INLINE_MAX_PARTS: 100,
    });
    expect(() => readEnv({ RT_LOAD_STATE_MACHINE_ARN: 'nope' })).toThrow(
      /RT_LOAD_STATE_MACHINE_ARN: expected a state machine ARN/,
    );
  });

  it('uses RT_CLUSTER_SLICES, else 4 on a custom endpoint, else asks Redshift', () => {
    expect(clusterSlices({ RT_CLUSTER_SLICES: 16 })).toBe(16);
    expect(clusterSlices({ RT_ENDPOINT_REDSHIFT_DATA: 'http://127.0.0.1:1' })).toBe(4);
    expect(clusterSlices({})).toBeUndefined();
  });
});
