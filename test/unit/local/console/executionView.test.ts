import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { executionView } from '../../../../local/console/executionView.ts';

const definition = {
  StartAt: 'Start',
  States: {
    Start: { Type: 'Task', Next: 'Poll', Catch: [{ Next: 'Cleanup' }] },
    Poll: { Type: 'Task', Next: 'Done?', Catch: [{ Next: 'Cleanup' }] },
    'Done?': { Type: 'Choice', Choices: [{ Next: 'Ok' }], Default: 'Poll' },
    Ok: { Type: 'Succeed' },
    Cleanup: { Type: 'Task', Next: 'Failed' },
    Failed: { Type: 'Fail' },
  },
};

let clock = 0;
const ev = (type: string, name?: string): HistoryEvent => {
  clock += 10;
  const e: HistoryEvent = {
    type: type as HistoryEvent['type'],
    timestamp: new Date(clock),
    id: clock,
    previousEventId: 0,
  };
  if (type.endsWith('StateEntered')) e.stateEnteredEventDetails = { name };
  if (type.endsWith('StateExited')) e.stateExitedEventDetails = { name };
  return e;
};

describe('executionView', () => {
  it('lays success paths out top-down and Catch-only states below them', () => {
    const view = executionView(definition, [], 'RUNNING');
    const level = Object.fromEntries(view.nodes.map((n) => [n.name, n.level]));
    expect(level).toEqual({ Start: 0, Poll: 1, 'Done?': 2, Ok: 3, Cleanup: 4, Failed: 5 });
    expect(view.edges).toContainEqual({ from: 'Start', to: 'Cleanup', kind: 'catch' });
    expect(view.nodes.every((n) => n.status === 'not-run')).toBe(true);
  });

  it('colours a caught failure, the cleanup path and the Fail state; loops count entries', () => {
    clock = 0;
    const history = [
      ev('ExecutionStarted'),
      ev('TaskStateEntered', 'Start'),
      ev('TaskStateExited', 'Start'),
      ev('TaskStateEntered', 'Poll'),
      ev('TaskStateExited', 'Poll'),
      ev('ChoiceStateEntered', 'Done?'),
      ev('ChoiceStateExited', 'Done?'),
      ev('TaskStateEntered', 'Poll'),
      ev('LambdaFunctionFailed'),
      ev('TaskStateExited', 'Poll'),
      ev('TaskStateEntered', 'Cleanup'),
      ev('TaskStateExited', 'Cleanup'),
      ev('FailStateEntered', 'Failed'),
      ev('ExecutionFailed'),
    ];
    const view = executionView(definition, history, 'FAILED');
    const status = Object.fromEntries(view.nodes.map((n) => [n.name, n.status]));
    expect(status).toEqual({
      Start: 'succeeded',
      Poll: 'caught',
      'Done?': 'succeeded',
      Ok: 'not-run',
      Cleanup: 'succeeded',
      Failed: 'failed',
    });
    expect(view.nodes.find((n) => n.name === 'Poll')?.entries).toBe(2);
    expect(view.spans.map((s) => `${s.state}:${s.status}:${s.start}-${s.end}`)).toEqual([
      'Start:succeeded:10-20',
      'Poll:succeeded:30-40',
      'Done?:succeeded:50-60',
      'Poll:caught:70-90',
      'Cleanup:succeeded:100-110',
      'Failed:failed:120-130',
    ]);
    expect(view.duration).toBe(130);
  });

  it('a retried task that succeeded in the end is succeeded; an open state of a running execution is running', () => {
    clock = 0;
    const history = [
      ev('ExecutionStarted'),
      ev('TaskStateEntered', 'Start'),
      ev('LambdaFunctionFailed'),
      ev('LambdaFunctionSucceeded'),
      ev('TaskStateExited', 'Start'),
      ev('TaskStateEntered', 'Poll'),
    ];
    const status = Object.fromEntries(
      executionView(definition, history, 'RUNNING').nodes.map((n) => [n.name, n.status]),
    );
    expect(status.Start).toBe('succeeded');
    expect(status.Poll).toBe('running');
  });
});
