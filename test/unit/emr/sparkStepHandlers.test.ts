import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddJobFlowStepsCommand,
  CancelStepsCommand,
  DescribeStepCommand,
  type EMRClient,
} from '@aws-sdk/client-emr';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '../../../functions/_shared/runtime.ts';
import { handler as pollHandler } from '../../../functions/pollSparkStep.ts';
import { handler as submitHandler } from '../../../functions/submitSparkStep.ts';
import { type LocalEmr, startLocalEmr } from '../../../local/emr/startLocalEmr.ts';
import { createEmrClient } from '../../../src/aws/clients.ts';
import type { SparkStepState } from '../../../src/emr/sparkStepState.ts';
import { DeadlineExceededError, JobValidationError, SparkStepFailedError } from '../../../src/errors.ts';
import { useMetricsFile } from '../../helpers/metricsFile.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';

// Handler metric lines go to a temporary file, not the test output.
useMetricsFile();

// The local EMR here has no PySpark (an empty spark dir): spark-submit steps fail with the install
// hint, which is what the failure path needs; the e2e test runs real Spark.
let s3: TestS3;
let emr: LocalEmr;
let client: EMRClient;
let noSparkDir: string;
const context = {} as Context;
const saved = { ...process.env };

const job = (extra: Record<string, unknown> = {}) => ({
  kind: 'export',
  name: 'orders',
  spark: {
    clusterId: 'j-LOCAL',
    script: 's3://scripts/redshift.py',
    args: ['--output', 's3://out/agg/'],
    logUri: 's3://emr-logs/emr-logs/',
    ...extra,
  },
});
const result = {
  manifestUri: 's3://exports/orders/_manifest.json',
  destination: 's3://exports/orders/',
  rows: 3,
  parts: 1,
  bytes: 10,
};

beforeAll(async () => {
  s3 = await startTestS3();
  noSparkDir = await mkdtemp(join(tmpdir(), 'rt-no-spark-'));
  emr = await startLocalEmr({ s3Endpoint: s3.endpoint, logBucket: 'emr-logs', sparkDir: noSparkDir });
  client = createEmrClient({ region: 'us-east-1', endpoint: emr.endpoint });
  process.env.RT_ENDPOINT_EMR = emr.endpoint;
  process.env.RT_ENDPOINT_S3 = s3.endpoint;
  process.env.RT_LOG_LEVEL = 'SILENT';
  resetRuntime();
});

afterAll(async () => {
  process.env = saved;
  resetRuntime();
  client?.destroy();
  await emr?.stop();
  await s3?.stop();
  await rm(noSparkDir, { recursive: true, force: true });
});

describe('Handlers: submitSparkStep and pollSparkStep on the local EMR', () => {
  it('submits the step with the manifest argument, polls it to FAILED and surfaces reason and log file', async () => {
    // Act
    const before = Date.now();
    const submitted = (await submitHandler(
      { runId: 'orders-r1', job: job({ timeout: '15m' }), result },
      context,
    )) as SparkStepState;
    // Assess
    expect(submitted).toEqual({
      clusterId: 'j-LOCAL',
      stepId: expect.stringMatching(/^s-[0-9A-F]{13}$/),
      deadline: expect.any(Number),
      attempt: 0,
      nextWaitSeconds: 10,
      done: false,
      logUri: `s3://emr-logs/emr-logs/j-LOCAL/steps/${submitted.stepId}/`,
    });
    expect(submitted.deadline).toBeGreaterThanOrEqual(before + 900_000);
    expect(submitted.deadline).toBeLessThanOrEqual(Date.now() + 900_000);
    const { Step } = await client.send(
      new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: submitted.stepId }),
    );
    expect(Step?.Name).toBe('redshift-transfer-orders-r1-spark');
    expect(Step?.Config?.Args).toEqual([
      'spark-submit',
      '--deploy-mode',
      'cluster',
      '--driver-class-path',
      '/usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar',
      '--jars',
      '/usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar',
      's3://scripts/redshift.py',
      '--output',
      's3://out/agg/',
      '--manifest',
      's3://exports/orders/_manifest.json',
    ]);

    await emr.waitForStep(submitted.stepId);
    const error = await pollHandler({ runId: 'orders-r1', spark: submitted }, context).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SparkStepFailedError);
    const logFile = `s3://emr-logs/emr-logs/j-LOCAL/steps/${submitted.stepId}/stderr.gz`;
    expect((error as SparkStepFailedError).message).toBe(
      `Spark step ${submitted.stepId} on EMR cluster j-LOCAL ended FAILED: reason: PySpark is not installed for the local EMR (looked in ${join(noSparkDir, '.venv')}): install it with \`bash spark/setup.sh\` (PySpark from PyPI into spark/.venv, jars from Maven Central into spark/jars).; message: Step ${submitted.stepId} (spark-submit) could not start; the full output is in the step's stderr.gz log.; log file: ${logFile}. Read the step's log for the full error.`,
    );
    expect((error as SparkStepFailedError).context).toMatchObject({
      clusterId: 'j-LOCAL',
      stepId: submitted.stepId,
      state: 'FAILED',
      logFile,
    });
  });

  it('adopts the pending step of the same run, waits with backoff, and cancels it at the deadline', async () => {
    // Prepare: a step that holds the cluster so the run's step stays PENDING
    const blocker = (
      await client.send(
        new AddJobFlowStepsCommand({
          JobFlowId: 'j-LOCAL',
          Steps: [
            {
              Name: 'blocker',
              HadoopJarStep: {
                Jar: 'command-runner.jar',
                Args: ['python3', '-c', 'import signal; signal.pause()'],
              },
            },
          ],
        }),
      )
    ).StepIds?.[0] as string;
    await emr.waitForStep(blocker, ['RUNNING']);

    try {
      // Act
      const first = (await submitHandler(
        { runId: 'orders-r2', job: job(), result },
        context,
      )) as SparkStepState;
      const retried = (await submitHandler(
        { runId: 'orders-r2', job: job(), result },
        context,
      )) as SparkStepState;
      const polled = (await pollHandler({ runId: 'orders-r2', spark: first }, context)) as SparkStepState;
      const late = await pollHandler(
        { runId: 'orders-r2', spark: { ...polled, deadline: Date.now() - 1 } },
        context,
      ).catch((e: unknown) => e);

      // Assess
      expect(retried.stepId).toBe(first.stepId);
      expect(polled).toEqual({ ...first, state: 'PENDING', attempt: 1, nextWaitSeconds: 20, done: false });
      expect(late).toBeInstanceOf(DeadlineExceededError);
      expect((late as Error).message).toMatch(
        new RegExp(
          `^Spark step ${first.stepId} on EMR cluster j-LOCAL was still PENDING at its deadline \\(.+\\); it has been cancelled\\. Raise spark.timeout`,
        ),
      );
      const { Step } = await client.send(
        new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: first.stepId }),
      );
      expect(Step?.Status?.State).toBe('CANCELLED');
    } finally {
      await client.send(new CancelStepsCommand({ ClusterId: 'j-LOCAL', StepIds: [blocker] }));
      await emr.waitForStep(blocker);
    }
  });

  it('reports a COMPLETED step as done', async () => {
    const stepId = (
      await client.send(
        new AddJobFlowStepsCommand({
          JobFlowId: 'j-LOCAL',
          Steps: [
            {
              Name: 'quick',
              HadoopJarStep: { Jar: 'command-runner.jar', Args: ['python3', '-c', 'print(42)'] },
            },
          ],
        }),
      )
    ).StepIds?.[0] as string;
    await emr.waitForStep(stepId);
    const spark = {
      clusterId: 'j-LOCAL',
      stepId,
      deadline: Date.now() + 60_000,
      attempt: 3,
      nextWaitSeconds: 80,
      done: false,
    };
    expect(await pollHandler({ runId: 'r3', spark }, context)).toEqual({
      ...spark,
      state: 'COMPLETED',
      attempt: 4,
      nextWaitSeconds: 0,
      done: true,
    });
  });

  it('rejects bad input with every problem by path', async () => {
    const error = await submitHandler(
      { job: { spark: { clusterId: 'cluster-1', script: '' } } },
      context,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobValidationError);
    expect((error as JobValidationError).issues).toEqual([
      'runId: Invalid input: expected string, received undefined',
      'job.spark.clusterId: expected an EMR cluster id like "j-2AXXXXXXGAPLF"',
      'job.spark.script: Too small: expected string to have >=1 characters',
    ]);
  });

  it('names an unknown cluster in a SparkStepFailedError', async () => {
    const error = await submitHandler(
      { runId: 'r4', job: job({ clusterId: 'j-OTHER' }), result },
      context,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SparkStepFailedError);
    expect((error as Error).message).toBe(
      "Cannot list the steps of EMR cluster j-OTHER: ClusterId 'j-OTHER' is not valid: the local EMR runs cluster j-LOCAL only.. Check spark.clusterId.",
    );
  });
});
