import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type JsonObject, loadDefinitionFile } from '../../../../local/sfn/loadDefinition.ts';
import { type LocalExecution, LocalRunner } from '../../../../local/sfn/localRunner.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/statemachines/', import.meta.url));

/**
 * What a reader (DescribeExecution, GetExecutionHistory) sees at the moment the execution's status
 * changes: the status is read by API clients that then read the rest, so whatever goes with an
 * ended status must already be there when it is set.
 */
function watchStatus(execution: LocalExecution) {
  const seen: { status: string; stopDate: boolean; output?: string; error?: string; last?: string }[] = [];
  let status = execution.status;
  Object.defineProperty(execution, 'status', {
    get: () => status,
    set: (value: LocalExecution['status']) => {
      status = value;
      seen.push({
        status: value,
        stopDate: execution.stopDate !== undefined,
        ...(execution.output !== undefined ? { output: execution.output } : {}),
        ...(execution.error !== undefined ? { error: execution.error } : {}),
        ...(execution.history.at(-1)?.type !== undefined ? { last: execution.history.at(-1)?.type } : {}),
      });
    },
  });
  return seen;
}

describe('LocalRunner: the end of an execution', () => {
  const start = async (input: JsonObject) => {
    const runner = new LocalRunner({ functionsDir: `${fixtures}functions`, waitScale: 0 });
    const definition = await loadDefinitionFile(`${fixtures}tasks.asl.yml`, {
      region: runner.region,
      stateBucket: 'state-bucket',
    });
    const execution = runner.start(runner.prepare(definition, { name: 'fixture-tasks' }), input);
    return { execution, seen: watchStatus(execution) };
  };

  it('a SUCCEEDED status comes with its output, stop date and ExecutionSucceeded event', async () => {
    const { execution, seen } = await start({ failures: 0, count: 2 });
    await execution.done;
    expect(seen).toEqual([
      {
        status: 'SUCCEEDED',
        stopDate: true,
        output: execution.output,
        last: 'ExecutionSucceeded',
      },
    ]);
    expect(JSON.parse(execution.output ?? 'null')).toMatchObject({ validated: { doubled: 4 } });
  });

  it('a FAILED status comes with its error, stop date and ExecutionFailed event', async () => {
    const { execution, seen } = await start({ failures: 9, count: 1 });
    await execution.done;
    expect(seen).toEqual([
      { status: 'FAILED', stopDate: true, error: 'TransientError', last: 'ExecutionFailed' },
    ]);
  });

  it('an ABORTED status (StopExecution) comes with the stop error and ExecutionAborted event', async () => {
    const { execution, seen } = await start({ failures: 9, count: 1 });
    execution.stop('Stopped.ByTest', 'the test stopped it');
    await execution.done;
    expect(seen).toEqual([
      { status: 'ABORTED', stopDate: true, error: 'Stopped.ByTest', last: 'ExecutionAborted' },
    ]);
  });
});
