import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { resetRuntime } from '../../../functions/_shared/runtime.ts';
import { JobValidationError } from '../../../src/errors.ts';
import { resolveJob } from '../../../src/job/resolveJob.ts';
import { useMetricsFile } from '../../helpers/metricsFile.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';

// Handler metric lines go to a temporary file, not the test output.
useMetricsFile();

const SHIPPED = 'jobs/nightly-sales-export.yml';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rt-resolve-'));
  // Only in the temporary folder: found there through jobsDir, never through the default jobs/.
  await copyFile(SHIPPED, join(dir, 'nightly-sales-export.yml'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
  resetRuntime();
});

describe('resolveJob', () => {
  it('reads a file once into the validated job and the document as written', async () => {
    const written = parse(await readFile(SHIPPED, 'utf8')) as Record<string, unknown>;

    const resolved = await resolveJob({ file: SHIPPED }, 'export');

    expect(resolved.file).toBe(SHIPPED);
    expect(resolved.document).toEqual(written);
    expect(resolved.job).toMatchObject({ kind: 'export', name: 'nightly-sales-export' });
    // The job has the schema's defaults; the document does not (the state machine validates it again).
    expect(resolved.job.unload).toBeDefined();
  });

  it('finds a name in jobsDir, and takes a document as it is', async () => {
    const byName = await resolveJob({ jobName: 'nightly-sales-export' }, 'export', { jobsDir: dir });
    expect(byName.file).toBe(join(dir, 'nightly-sales-export.yml'));

    const byDocument = await resolveJob({ job: byName.document }, undefined);
    expect(byDocument).toEqual({ job: byName.job, document: byName.document });
  });

  it('refuses a job of another kind, naming the state machine to start instead', async () => {
    await expect(resolveJob({ file: SHIPPED }, 'load')).rejects.toThrow(
      new JobValidationError(
        'Job "nightly-sales-export" is a export job; start the export state machine instead.',
      ),
    );
  });

  it('names the places it looked for a missing name, and the fields of a bad document', async () => {
    await expect(resolveJob({ jobName: 'no-such-job' }, 'export', { jobsDir: dir })).rejects.toThrow(
      `No job named "no-such-job" in ${dir}/ (looked for no-such-job.yml, no-such-job.yaml, no-such-job.json)`,
    );
    await expect(resolveJob({ job: { kind: 'export', name: 'x' } }, 'export')).rejects.toThrow(
      /^Invalid job document:\n {2}- /,
    );
  });
});

describe('one way in', () => {
  it('is resolveJob alone: the job module only validates, the file steps are private', async () => {
    expect(Object.keys(await import('../../../src/job/job.ts')).sort()).toEqual([
      'jobSchema',
      'parseDerived',
      'parseJob',
    ]);
    expect(Object.keys(await import('../../../src/job/resolveJob.ts'))).toEqual(['resolveJob']);
  });
});

describe('the plan tasks look jobs up in RT_JOBS_DIR', () => {
  // planExport checks the job's destination (onExisting) before anything runs: a real local S3.
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startTestS3();
    await s3.client.send(new CreateBucketCommand({ Bucket: 'rt-exports' }));
  });
  afterAll(async () => {
    await s3.stop();
  });

  it('planExport finds a job by name only in RT_JOBS_DIR', async () => {
    vi.stubEnv('RT_LOG_LEVEL', 'SILENT');
    vi.stubEnv('RT_ENDPOINT_S3', s3.endpoint);
    vi.stubEnv('RT_JOBS_DIR', dir);
    const { handler } = await import('../../../functions/planExport.ts');

    const run = (await handler(
      { input: { jobName: 'nightly-sales-export', runDate: '2024-03-01' }, executionName: 'e1' },
      {} as Context,
    )) as { jobName: string; runDate: string };

    expect(run).toMatchObject({ jobName: 'nightly-sales-export', runDate: '2024-03-01' });
    vi.stubEnv('RT_JOBS_DIR', join(dir, 'missing'));
    vi.stubEnv('RT_ENDPOINT_S3', s3.endpoint);
    resetRuntime();
    await expect(
      handler({ input: { jobName: 'nightly-sales-export' }, executionName: 'e2' }, {} as Context),
    ).rejects.toThrow(`No job named "nightly-sales-export" in ${join(dir, 'missing')}/`);
  });
});
