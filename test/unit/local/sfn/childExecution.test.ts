import { fileURLToPath } from 'node:url';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../../../../local/sfn/loadDefinition.ts';
import { type LocalExecution, LocalRunner } from '../../../../local/sfn/localRunner.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/statemachines/', import.meta.url));
const functionsDir = `${fixtures}functions`;

/** The parent starts `${ChildStateMachineArn}`, which the local naming rule makes this name. */
async function setUp(options: { waitScale: number }) {
  const started: LocalExecution[] = [];
  const runner = new LocalRunner({ functionsDir, ...options, onExecution: (e) => started.push(e) });
  const load = (kind: string) =>
    loadDefinitionFile(`${fixtures}${kind}.asl.yml`, { region: runner.region, stateBucket: 'state-bucket' });
  const child = runner.prepare(await load('child'), { name: 'redshift-transfer-child' });
  const parent = runner.prepare(await load('parent'), { name: 'redshift-transfer-parent' });
  return { runner, child, parent, started };
}

const types = (history: HistoryEvent[]) => history.map((e) => e.type);

/** Resolves when the execution records an event of this type. */
function reached(execution: LocalExecution, type: string): Promise<void> {
  return new Promise((resolve) => {
    if (execution.history.some((e) => e.type === type)) return resolve();
    const off = execution.onEvent((event) => {
      if (event.type === type) {
        off();
        resolve();
      }
    });
  });
}

describe('startExecution.sync:2 (child executions)', () => {
  it('runs the child with its own history and returns its Output as JSON', async () => {
    const { runner, child, parent, started } = await setUp({ waitScale: 0 });

    const result = await runner.start(parent, { name: 'run-1', mode: 'ok' }, { name: 'parent-1' }).done;

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({
      name: 'run-1',
      mode: 'ok',
      child: { output: { answer: 42, got: { mode: 'ok' } }, status: 'SUCCEEDED' },
    });
    expect(types(result.history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = result.history.find((e) => e.type === 'TaskScheduled');
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'states',
      resource: 'startExecution.sync:2',
      parameters: JSON.stringify({ StateMachineArn: child.arn, Name: 'run-1', Input: { mode: 'ok' } }),
    });
    const childRun = started.find((e) => e.stateMachineArn === child.arn);
    expect(childRun).toMatchObject({
      name: 'run-1',
      executionArn: `${child.arn.replace(':stateMachine:', ':execution:')}:run-1`,
      status: 'SUCCEEDED',
      input: '{"mode":"ok"}',
    });
    expect(types(childRun?.history ?? [])).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(started.map((e) => e.stateMachineArn)).toEqual([parent.arn, child.arn]);
  });

  it("fails the parent's task with States.TaskFailed, the child's description (its error inside) as cause", async () => {
    const { runner, child, parent } = await setUp({ waitScale: 0 });

    const result = await runner.start(parent, { name: 'run-2', mode: 'fail' }).done;

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.TaskFailed');
    const cause = JSON.parse(result.cause ?? '') as Record<string, unknown>;
    expect(cause).toMatchObject({
      ExecutionArn: `${child.arn.replace(':stateMachine:', ':execution:')}:run-2`,
      StateMachineArn: child.arn,
      Name: 'run-2',
      Status: 'FAILED',
      Input: '{"mode":"fail"}',
      Error: 'ChildBrokeError',
      Cause: 'the child could not go on',
    });
    expect(cause.Output).toBeUndefined();
    const failed = result.history.find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({
      resourceType: 'states',
      resource: 'startExecution.sync:2',
      error: 'States.TaskFailed',
    });
  });

  it('refuses a second child of the same name: the task fails, nothing runs twice', async () => {
    const { runner, parent, started } = await setUp({ waitScale: 0 });
    expect((await runner.start(parent, { name: 'same', mode: 'ok' }).done).status).toBe('SUCCEEDED');

    const again = await runner.start(parent, { name: 'same', mode: 'ok' }).done;

    expect(again).toMatchObject({ status: 'FAILED', error: 'StepFunctions.ExecutionAlreadyExistsException' });
    expect(started.filter((e) => e.name === 'same')).toHaveLength(1);
  });

  it('stopping the parent stops the child', async () => {
    const { runner, child, parent, started } = await setUp({ waitScale: 1 });
    const execution = runner.start(parent, { name: 'run-3', mode: 'wait' });
    await reached(execution, 'TaskSubmitted');
    const childRun = started.find((e) => e.stateMachineArn === child.arn);
    if (childRun === undefined) throw new Error('the child did not start');
    await reached(childRun, 'WaitStateEntered');

    execution.stop('Operator.Stopped', 'stopped from the test');
    const [parentResult, childResult] = await Promise.all([execution.done, childRun.done]);

    expect(parentResult).toMatchObject({ status: 'ABORTED', error: 'Operator.Stopped' });
    expect(childResult.status).toBe('ABORTED');
    expect(childResult.cause).toBe(`The parent execution ${execution.executionArn} was stopped`);
    expect(types(childResult.history).at(-1)).toBe('ExecutionAborted');
  });
});
