import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  AddJobFlowStepsCommand,
  CancelStepsCommand,
  DescribeClusterCommand,
  DescribeStepCommand,
  type EMRClient,
  InvalidRequestException,
  ListStepsCommand,
} from '@aws-sdk/client-emr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEmr, startLocalEmr } from '../../../../local/emr/startLocalEmr.ts';
import { createEmrClient } from '../../../../src/aws/clients.ts';
import { startTestS3, type TestS3 } from '../../../helpers/testS3.ts';

let s3: TestS3;
let emr: LocalEmr;
let client: EMRClient;
let noSparkDir: string;

beforeAll(async () => {
  s3 = await startTestS3();
  noSparkDir = await mkdtemp(join(tmpdir(), 'rt-no-spark-'));
  emr = await startLocalEmr({ s3Endpoint: s3.endpoint, logBucket: 'emr-logs', sparkDir: noSparkDir });
  client = createEmrClient({ region: 'us-east-1', endpoint: emr.endpoint });
});

afterAll(async () => {
  client?.destroy();
  await emr?.stop();
  await s3?.stop();
  await rm(noSparkDir, { recursive: true, force: true });
});

async function addStep(
  args: string[],
  name = 'step',
  jar = 'command-runner.jar',
  actionOnFailure = 'CONTINUE',
) {
  const out = await client.send(
    new AddJobFlowStepsCommand({
      JobFlowId: 'j-LOCAL',
      Steps: [
        {
          Name: name,
          ActionOnFailure: actionOnFailure as 'CONTINUE',
          HadoopJarStep: { Jar: jar, Args: args },
        },
      ],
    }),
  );
  expect(out.StepIds).toHaveLength(1);
  return out.StepIds?.[0] as string;
}

async function readLog(uri: string): Promise<string> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return gunzipSync(await s3.getBytes(match?.[1] as string, match?.[2] as string)).toString('utf8');
}

describe('local EMR through @aws-sdk/client-emr', () => {
  it('runs a command-runner.jar step to COMPLETED and keeps its stdout and stderr as gzip logs under the LogUri', async () => {
    // Prepare
    const stepId = await addStep(
      ['python3', '-c', 'import sys; print("rows=3"); print("note", file=sys.stderr)'],
      'ok-step',
    );
    // Act
    await emr.waitForStep(stepId);
    const { Step } = await client.send(new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: stepId }));
    // Assess
    expect(Step?.Id).toBe(stepId);
    expect(Step?.Name).toBe('ok-step');
    expect(Step?.ActionOnFailure).toBe('CONTINUE');
    expect(Step?.Config).toEqual({
      Jar: 'command-runner.jar',
      Args: ['python3', '-c', 'import sys; print("rows=3"); print("note", file=sys.stderr)'],
      Properties: {},
    });
    expect(Step?.Status?.State).toBe('COMPLETED');
    expect(Step?.Status?.FailureDetails).toBeUndefined();
    expect(Step?.Status?.Timeline?.CreationDateTime).toBeInstanceOf(Date);
    expect(Step?.Status?.Timeline?.EndDateTime).toBeInstanceOf(Date);
    const logDir = `s3://emr-logs/emr-logs/j-LOCAL/steps/${stepId}/`;
    expect(await readLog(`${logDir}stdout.gz`)).toBe('rows=3\n');
    expect(await readLog(`${logDir}stderr.gz`)).toBe('note\n');
  });

  it('fails a step with the last error line as the reason and its stderr.gz as the log file', async () => {
    const stepId = await addStep(['python3', '-c', 'raise ValueError("bad --source: nope")'], 'bad-step');
    await emr.waitForStep(stepId);
    const { Step } = await client.send(new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: stepId }));
    expect(Step?.Status?.State).toBe('FAILED');
    expect(Step?.Status?.FailureDetails).toEqual({
      Reason: 'ValueError: bad --source: nope',
      Message: `Step ${stepId} (python3) exited with code 1; the full output is in the step's stderr.gz log.`,
      LogFile: `s3://emr-logs/emr-logs/j-LOCAL/steps/${stepId}/stderr.gz`,
    });
    expect(await readLog(Step?.Status?.FailureDetails?.LogFile as string)).toContain(
      'Traceback (most recent call last)',
    );
  });

  it("takes the reason from stdout.gz when stderr has none (PySpark merges the script's stderr into stdout)", async () => {
    const stepId = await addStep(
      ['python3', '-c', 'import sys; print("redshift.py: error: --manifest is required"); sys.exit(2)'],
      'stdout-err',
    );
    await emr.waitForStep(stepId);
    const { Step } = await client.send(new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: stepId }));
    expect(Step?.Status?.FailureDetails).toEqual({
      Reason: 'redshift.py: error: --manifest is required',
      Message: `Step ${stepId} (python3) exited with code 2; the full output is in the step's stdout.gz log.`,
      LogFile: `s3://emr-logs/emr-logs/j-LOCAL/steps/${stepId}/stdout.gz`,
    });
  });

  it('fails a spark-submit step with the install instructions when PySpark is not installed', async () => {
    const stepId = await addStep(
      ['spark-submit', '--deploy-mode', 'cluster', 's3://scripts/redshift.py'],
      'no-spark',
    );
    await emr.waitForStep(stepId);
    const { Step } = await client.send(new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: stepId }));
    expect(Step?.Status?.State).toBe('FAILED');
    expect(Step?.Status?.FailureDetails?.Reason).toBe(
      `PySpark is not installed for the local EMR (looked in ${join(noSparkDir, '.venv')}): install it with \`bash spark/setup.sh\` (PySpark from PyPI into spark/.venv, jars from Maven Central into spark/jars).`,
    );
  });

  it('fails a step whose jar is not command-runner.jar', async () => {
    const stepId = await addStep(['x'], 'custom-jar', 's3://jars/app.jar');
    await emr.waitForStep(stepId);
    const { Step } = await client.send(new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: stepId }));
    expect(Step?.Status?.State).toBe('FAILED');
    expect(Step?.Status?.FailureDetails?.Reason).toBe(
      "the local EMR runs command-runner.jar steps only (this step's jar is s3://jars/app.jar)",
    );
  });

  it('runs steps one at a time and cancels a PENDING step at once and a RUNNING one by killing it', async () => {
    // Prepare: a step that blocks until signalled, and one queued behind it
    const running = await addStep(
      ['python3', '-c', 'import signal; print("started", flush=True); signal.pause()'],
      'blocker',
    );
    const pending = await addStep(['python3', '-c', 'print("never")'], 'queued');
    await emr.waitForStep(running, ['RUNNING']);
    const queued = await client.send(new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: pending }));
    expect(queued.Step?.Status?.State).toBe('PENDING');
    // Act
    const cancel = await client.send(
      new CancelStepsCommand({
        ClusterId: 'j-LOCAL',
        StepIds: [pending, running, 's-NOPE'],
        StepCancellationOption: 'SEND_INTERRUPT',
      }),
    );
    // Assess
    expect(cancel.CancelStepsInfoList).toEqual([
      { StepId: pending, Status: 'SUBMITTED', Reason: '' },
      { StepId: running, Status: 'SUBMITTED', Reason: '' },
      { StepId: 's-NOPE', Status: 'FAILED', Reason: 'Step s-NOPE does not exist on j-LOCAL.' },
    ]);
    await emr.waitForStep(running);
    const steps = await client.send(
      new ListStepsCommand({ ClusterId: 'j-LOCAL', StepIds: [running, pending] }),
    );
    expect(steps.Steps?.map((s) => [s.Id, s.Status?.State])).toEqual([
      [pending, 'CANCELLED'],
      [running, 'CANCELLED'],
    ]);
  });

  it('lists steps newest first, filtered by state', async () => {
    const all = await client.send(new ListStepsCommand({ ClusterId: 'j-LOCAL' }));
    expect(all.Steps?.map((s) => s.Name)).toEqual([
      'queued',
      'blocker',
      'custom-jar',
      'no-spark',
      'stdout-err',
      'bad-step',
      'ok-step',
    ]);
    const completed = await client.send(
      new ListStepsCommand({ ClusterId: 'j-LOCAL', StepStates: ['COMPLETED'] }),
    );
    expect(completed.Steps?.map((s) => s.Name)).toEqual(['ok-step']);
  });

  it('rejects another cluster id with InvalidRequestException, like EMR', async () => {
    const error = await client
      .send(new DescribeStepCommand({ ClusterId: 'j-OTHER', StepId: 's-1' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect((error as Error).message).toBe(
      "ClusterId 'j-OTHER' is not valid: the local EMR runs cluster j-LOCAL only.",
    );
    const unknownStep = await client
      .send(new DescribeStepCommand({ ClusterId: 'j-LOCAL', StepId: 's-NOPE' }))
      .catch((e: unknown) => e);
    expect(unknownStep).toBeInstanceOf(InvalidRequestException);
  });

  it('describes the cluster with its LogUri', async () => {
    const { Cluster } = await client.send(new DescribeClusterCommand({ ClusterId: 'j-LOCAL' }));
    expect(Cluster?.LogUri).toBe('s3://emr-logs/emr-logs/');
    expect(Cluster?.Status?.State).toBe('WAITING');
  });
});
