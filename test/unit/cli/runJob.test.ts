import { fileURLToPath } from 'node:url';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redriveJob, runJob } from '../../../cli/runJob.ts';
import { type LocalSfn, startLocalSfn } from '../../../local/sfn/startLocalSfn.ts';
import { createSfnClient } from '../../../src/aws/clients.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/statemachines/', import.meta.url));
const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:redshift-transfer-cli-run';

let sfn: LocalSfn;
let client: SFNClient;

beforeAll(async () => {
  sfn = await startLocalSfn({
    region: 'us-east-1',
    stateMachinesDir: fixtures,
    kinds: ['cli-run'],
    functionsDir: `${fixtures}functions`,
    substitutions: { stateBucket: 'state-bucket' },
    waitScale: 0,
    env: { RT_LOG_LEVEL: 'SILENT' },
  });
  client = createSfnClient({ region: 'us-east-1', endpoint: sfn.endpoint });
});

afterAll(async () => {
  client?.destroy();
  await sfn?.stop();
});

function output() {
  const lines: string[] = [];
  return { lines, write: (text: string) => lines.push(text), isTTY: false };
}

describe('runJob (through the local Step Functions API)', () => {
  it('starts the execution, reports progress per state change and prints the summary', async () => {
    const out = output();

    const { exitCode, followed } = await runJob({
      client,
      stateMachineArn,
      document: { items: [1, 2, 3] },
      jobName: 'demo',
      runDate: '2024-03-01',
      name: 'cli-ok',
      out,
      intervalMs: 10,
    });

    expect(exitCode).toBe(0);
    expect(JSON.parse(followed.description.input ?? '')).toEqual({
      job: { items: [1, 2, 3] },
      runDate: '2024-03-01',
    });
    const text = out.lines.join('');
    expect(text).toContain(
      'started arn:aws:states:us-east-1:000000000000:execution:redshift-transfer-cli-run:cli-ok\n',
    );
    expect(text).toContain('Finalize · parts 3/3 · 600 rows · 6.0 kB');
    expect(text).toMatch(
      /SUCCEEDED cli-ok in \S+\n {2}rows {5}600\n {2}parts {4}3\n {2}bytes {4}6\.0 kB.*\n {2}output {3}s3:\/\/rt-exports\/demo\/\n {2}manifest s3:\/\/rt-exports\/demo\/_manifest\.json\n {2}stages\n {4}Plan .*\n {4}ProcessParts .*\n {4}Finalize .*\n {2}execution arn:aws:states:us-east-1:000000000000:execution:redshift-transfer-cli-run:cli-ok\n$/,
    );
  });

  it('prints the named error and its cause and returns exit code 1', async () => {
    const out = output();

    const { exitCode } = await runJob({
      client,
      stateMachineArn,
      document: { items: [1, -2] },
      jobName: 'demo',
      name: 'cli-fail',
      out,
      intervalMs: 10,
    });

    expect(exitCode).toBe(1);
    expect(out.lines.join('')).toMatch(
      /FAILED cli-fail in \S+\n {2}error {4}PartProcessingError\n {2}cause {4}part -2 cannot be processed\n/,
    );
  });

  it('refuses a name that was already used, saying what to do', async () => {
    await expect(
      runJob({
        client,
        stateMachineArn,
        document: { items: [1] },
        jobName: 'demo',
        name: 'cli-ok',
        out: output(),
      }),
    ).rejects.toThrow(
      /^An execution named "cli-ok" already exists .*: pass another --name, or none for a fresh one$/,
    );
  });

  it('redrives a failed execution: same ARN and input, from the failed step, summary and exit code', async () => {
    const failed = await runJob({
      client,
      stateMachineArn,
      document: { items: [1, -2] },
      jobName: 'demo',
      name: 'cli-redrive',
      out: output(),
      intervalMs: 10,
    });
    const executionArn = failed.followed.description.executionArn ?? '';
    const out = output();

    const { exitCode, followed } = await redriveJob({ client, executionArn, out, intervalMs: 10 });

    // fakeParts fails on -2 again: the redrive reruns ProcessParts (Plan is not rerun) and fails.
    expect(exitCode).toBe(1);
    expect(followed.description).toMatchObject({ executionArn, status: 'FAILED', redriveCount: 1 });
    expect(followed.description.input).toBe(failed.followed.description.input);
    const redriven = followed.history.findIndex((e) => e.type === 'ExecutionRedriven');
    expect(redriven).toBeGreaterThan(0);
    expect(followed.history.slice(redriven).flatMap((e) => e.stateEnteredEventDetails?.name ?? [])).toEqual([
      'ProcessParts',
      'ProcessPart',
      'ProcessPart',
    ]);
    const text = out.lines.join('');
    expect(text).toContain(`redriving ${executionArn}\n`);
    expect(text).toMatch(/FAILED cli-redrive in \S+\n {2}error {4}PartProcessingError\n/);
  });

  it('refuses to redrive a succeeded or unknown execution, saying what to do', async () => {
    const ok = await runJob({
      client,
      stateMachineArn,
      document: { items: [1] },
      jobName: 'demo',
      name: 'cli-redrive-ok',
      out: output(),
      intervalMs: 10,
    });
    const executionArn = ok.followed.description.executionArn ?? '';
    await expect(redriveJob({ client, executionArn, out: output() })).rejects.toThrow(
      /cannot be redriven \(Execution is SUCCEEDED and cannot be redriven\): only a FAILED, TIMED_OUT or ABORTED execution can; start a new run instead$/,
    );
    await expect(redriveJob({ client, executionArn: `${executionArn}-nope`, out: output() })).rejects.toThrow(
      /^No execution .*-nope here .*on the stack \(--local or --stage\) that ran it$/,
    );
  });
});
