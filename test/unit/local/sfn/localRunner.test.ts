import { fileURLToPath } from 'node:url';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { type Json, loadDefinitionFile } from '../../../../local/sfn/loadDefinition.ts';
import { LocalRunner } from '../../../../local/sfn/localRunner.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/statemachines/', import.meta.url));
const functionsDir = `${fixtures}functions`;

async function prepare(runner: LocalRunner, kind: string) {
  const definition = await loadDefinitionFile(`${fixtures}${kind}.asl.yml`, {
    region: runner.region,
    stateBucket: 'state-bucket',
  });
  return runner.prepare(definition, { name: `fixture-${kind}` });
}

const types = (history: HistoryEvent[]) => history.map((e) => e.type);

describe('LocalRunner', () => {
  describe('task mapping', () => {
    it('runs each Task through functions/<name>.ts and records AWS-shaped history', async () => {
      // Prepare
      const runner = new LocalRunner({ functionsDir, waitScale: 0 });
      const sm = await prepare(runner, 'tasks');

      // Act
      const result = await runner.start(sm, { failures: 0, count: 21 }, { name: 'happy' }).done;

      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toEqual({
        failures: 0,
        count: 21,
        echo: { failures: 0, count: 21, echoed: true },
        flaky: { attempts: 1 },
        validated: { doubled: 42 },
      });
      expect(types(result.history)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'ChoiceStateEntered',
        'ChoiceStateExited',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'ExecutionSucceeded',
      ]);
      const scheduled = result.history[2];
      expect(scheduled?.lambdaFunctionScheduledEventDetails).toEqual({
        resource: 'arn:aws:lambda:us-east-1:000000000000:function:redshift-transfer-local-echo',
        input: '{"failures":0,"count":21}',
        inputDetails: { truncated: false },
        timeoutInSeconds: 900,
      });
      expect(result.history.map((e) => e.id)).toEqual(result.history.map((_, i) => i + 1));
      expect(result.stats).toMatchObject({ stateTransitions: 4, lambdaInvocations: 3, childExecutions: 0 });
    });

    it('retries a named error (scaled backoff) and then succeeds', async () => {
      const runner = new LocalRunner({ functionsDir, waitScale: 0 });
      const sm = await prepare(runner, 'tasks');

      const result = await runner.start(sm, { failures: 2, count: 1 }, { name: 'retry-twice' }).done;

      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toMatchObject({ flaky: { attempts: 3 } });
      const failures = result.history.filter((e) => e.type === 'LambdaFunctionFailed');
      expect(failures.map((e) => e.lambdaFunctionFailedEventDetails)).toEqual([
        { error: 'TransientError', cause: 'attempt 1 of retry-twice failed' },
        { error: 'TransientError', cause: 'attempt 2 of retry-twice failed' },
      ]);
      expect(result.stats.stateTransitions).toBe(6);
    });

    it('fails with the error name once the retries are exhausted', async () => {
      const runner = new LocalRunner({ functionsDir, waitScale: 0 });
      const sm = await prepare(runner, 'tasks');

      const result = await runner.start(sm, { failures: 9, count: 1 }, { name: 'exhausted' }).done;

      expect(result).toMatchObject({
        status: 'FAILED',
        error: 'TransientError',
        cause: 'attempt 4 of exhausted failed',
      });
      expect(result.history.at(-1)).toMatchObject({
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: 'TransientError', cause: 'attempt 4 of exhausted failed' },
      });
    });

    it('catches a named error, runs the cleanup and fails with that name and message', async () => {
      const runner = new LocalRunner({ functionsDir, waitScale: 0 });
      const sm = await prepare(runner, 'tasks');

      const result = await runner.start(sm, { failures: 0, count: 1, failWith: 'RowCountMismatchError' })
        .done;

      expect(result).toMatchObject({
        status: 'FAILED',
        error: 'RowCountMismatchError',
        cause: 'part 7 has 3 rows, the manifest says 4',
      });
      expect(types(result.history).slice(-4)).toEqual([
        'PassStateEntered',
        'PassStateExited',
        'FailStateEntered',
        'ExecutionFailed',
      ]);
    });

    it('surfaces a handler input rejected by defineHandler as JobValidationError', async () => {
      const runner = new LocalRunner({ functionsDir, waitScale: 0 });
      const sm = await prepare(runner, 'tasks');

      const result = await runner.start(sm, { failures: 0, count: 'many' as Json }, { name: 'bad-input' })
        .done;

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('JobValidationError');
      expect(result.cause).toMatch(/^Invalid input for task validated:\n {2}- count: /);
    });
  });

  describe('ResultPath "$"', () => {
    it('replaces the whole state with the result, on a Task and on a Catch', async () => {
      const runner = new LocalRunner({ functionsDir, waitScale: 0 });
      const sm = await prepare(runner, 'resultPathRoot');

      const result = await runner.start(sm, { runId: 'r-1', other: 'dropped' }).done;

      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toEqual({ error: 'PartProcessingError', cause: 'part 3 failed' });
      const passed = result.history.find(
        (e) => e.type === 'PassStateExited' && e.stateExitedEventDetails?.name === 'UseRunId',
      );
      expect(JSON.parse(passed?.stateExitedEventDetails?.output ?? 'null')).toEqual({
        runId: 'r-1',
        echoed: true,
        from: 'Replace',
      });
    });
  });

  describe('waits and inline Map', () => {
    it('scales waits to nothing and runs an inline Map with ItemSelector', async () => {
      const runner = new LocalRunner({ functionsDir, waitScale: 0 });
      const sm = await prepare(runner, 'waits');

      const result = await runner.start(sm, { waitSeconds: 86_400, items: [5, 6, 7] }).done;

      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toMatchObject({
        sums: [
          { count: 1, sum: 5 },
          { count: 1, sum: 6 },
          { count: 1, sum: 7 },
        ],
      });
      const history = types(result.history);
      expect(history.slice(0, 6)).toEqual([
        'ExecutionStarted',
        'WaitStateEntered',
        'WaitStateExited',
        'WaitStateEntered',
        'WaitStateExited',
        'MapStateEntered',
      ]);
      expect(result.history[6]).toMatchObject({
        type: 'MapStateStarted',
        mapStateStartedEventDetails: { length: 3 },
      });
      expect(history.filter((t) => t === 'MapIterationSucceeded')).toHaveLength(3);
      expect(history.slice(-3)).toEqual(['MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
    });

    it('starts no iteration after an inline Map has failed (MaxConcurrency 2, item 0 fails)', async () => {
      const runner = new LocalRunner({ functionsDir, waitScale: 0 });
      const sm = await prepare(runner, 'mapFailFast');
      // recordStart.ts pushes to this array (handlers run in this process).
      const g = globalThis as { __rtRecordStart?: number[] };
      g.__rtRecordStart ??= [];
      const started = g.__rtRecordStart;
      started.length = 0;
      const items = [{ n: 0, fail: true }, ...[1, 2, 3, 4, 5, 6, 7].map((n) => ({ n }))];

      const result = await runner.start(sm, { items }).done;

      expect(result).toMatchObject({
        status: 'FAILED',
        error: 'PartProcessingError',
        cause: 'item 0 is marked to fail',
      });
      // Items 0 and 1 run together; item 0's failure fails the Map before a slot frees up.
      expect(started.includes(0)).toBe(true);
      expect(started.filter((n) => n >= 3)).toEqual([]);
      const iterations = result.history
        .filter((e) => e.type === 'MapIterationStarted')
        .map((e) => e.mapIterationStartedEventDetails?.index ?? -1);
      expect(iterations.filter((i) => i >= 3)).toEqual([]);
      expect(iterations).toContain(0);

      // The same state machine runs again from a clean slate (the gate belongs to one Map run).
      started.length = 0;
      const ok = await runner.start(sm, { items: [{ n: 1 }, { n: 2 }, { n: 3 }] }).done;
      expect(ok).toMatchObject({ status: 'SUCCEEDED', output: { results: [{ n: 1 }, { n: 2 }, { n: 3 }] } });
      expect([...started].sort()).toEqual([1, 2, 3]);
    });

    it('stops a waiting execution: ABORTED with the given error and cause', async () => {
      const runner = new LocalRunner({ functionsDir, waitScale: 1 });
      const sm = await prepare(runner, 'waits');
      const execution = runner.start(sm, { waitSeconds: 1, items: [] });
      await new Promise<void>((resolve) => {
        const off = execution.onEvent((event) => {
          if (event.type === 'WaitStateEntered') {
            off();
            resolve();
          }
        });
      });

      execution.stop('Operator.Stopped', 'stopped from the test');
      const result = await execution.done;

      expect(result).toMatchObject({
        status: 'ABORTED',
        error: 'Operator.Stopped',
        cause: 'stopped from the test',
      });
      expect(types(result.history)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
    });
  });
});
