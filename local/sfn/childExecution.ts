import { flushHistory } from './historyRecorder.ts';
import type { Json, JsonObject } from './loadDefinition.ts';
import { jsonText, StatesTaskError, toPayload } from './payload.ts';
import type { Binding } from './prepareDefinition.ts';
import type { ChildExecution, ExecutionScope } from './scope.ts';

type StartExecutionBinding = Extract<Binding, { kind: 'startExecution' }>;

const isObject = (v: Json | undefined): v is JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** History details of the `states` service integration. */
const RESOURCE = { resourceType: 'states', resource: 'startExecution.sync:2' } as const;

/**
 * DescribeExecution as the `.sync:2` integration returns it: Output parsed as JSON (plain
 * `.sync` would leave it a string), dates as epoch milliseconds.
 */
export function syncDescription(execution: ChildExecution): JsonObject {
  const description: JsonObject = {
    ExecutionArn: execution.executionArn,
    Input: execution.input,
    InputDetails: { Included: true },
    Name: execution.name,
    StartDate: execution.startDate.getTime(),
    StateMachineArn: execution.stateMachineArn,
    Status: execution.status,
  };
  if (execution.stopDate !== undefined) description.StopDate = execution.stopDate.getTime();
  if (execution.output !== undefined) {
    description.Output = JSON.parse(execution.output) as Json;
    description.OutputDetails = { Included: true };
  }
  if (execution.error !== undefined) description.Error = execution.error;
  if (execution.cause !== undefined) description.Cause = execution.cause;
  return description;
}

/**
 * Runs a `arn:aws:states:::states:startExecution.sync:2` task as Step Functions does: starts
 * `StateMachineArn` with `Input` (and `Name`) as a child execution with its own history, waits
 * for it, and returns its description with the Output as JSON. A child that does not succeed fails
 * the task with `States.TaskFailed`, the cause being the child's description as JSON (its Error
 * and Cause inside); stopping the parent stops the child.
 */
export async function runChildExecution(
  binding: StartExecutionBinding,
  parameters: Json,
  scope: ExecutionScope,
): Promise<JsonObject> {
  const { recorder } = scope;
  if (recorder.keepEvents) await flushHistory();
  recorder.add('TaskScheduled', {
    taskScheduledEventDetails: {
      ...RESOURCE,
      region: scope.services.region,
      parameters: jsonText(parameters),
    },
  });
  recorder.add('TaskStarted', { taskStartedEventDetails: RESOURCE });
  const fail = (error: Error): never => {
    recorder.add('TaskFailed', {
      taskFailedEventDetails: { ...RESOURCE, error: error.name, cause: error.message },
    });
    throw error;
  };

  if (!isObject(parameters) || typeof parameters.StateMachineArn !== 'string') {
    return fail(
      new StatesTaskError(
        'States.Runtime',
        `State ${binding.stateName}: ${binding.resource} needs Parameters.StateMachineArn (a string)`,
      ),
    );
  }
  const name = parameters.Name;
  if (name !== undefined && typeof name !== 'string') {
    return fail(
      new StatesTaskError('States.Runtime', `State ${binding.stateName}: Parameters.Name must be a string`),
    );
  }
  let child: ChildExecution;
  try {
    const input = toPayload(
      parameters.Input ?? {},
      `The child execution input of state ${binding.stateName}`,
    );
    child = scope.services.startExecution(parameters.StateMachineArn, input.json, name);
  } catch (error) {
    return fail(error as Error);
  }
  recorder.add('TaskSubmitted', {
    taskSubmittedEventDetails: {
      ...RESOURCE,
      output: jsonText({ ExecutionArn: child.executionArn, StartDate: child.startDate.getTime() }),
      outputDetails: { truncated: false },
    },
  });

  const stopChild = () => child.stop(undefined, `The parent execution ${scope.executionArn} was stopped`);
  if (scope.signal.aborted) stopChild();
  scope.signal.addEventListener('abort', stopChild, { once: true });
  try {
    await child.done;
  } finally {
    scope.signal.removeEventListener('abort', stopChild);
  }
  const description = syncDescription(child);
  if (child.status !== 'SUCCEEDED') {
    const { Output: _output, OutputDetails: _details, ...failed } = description;
    return fail(new StatesTaskError('States.TaskFailed', JSON.stringify(failed)));
  }
  recorder.add('TaskSucceeded', {
    taskSucceededEventDetails: {
      ...RESOURCE,
      output: jsonText(description),
      outputDetails: { truncated: false },
    },
  });
  return description;
}
