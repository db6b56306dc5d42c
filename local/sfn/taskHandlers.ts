import { runChildExecution } from './childExecution.ts';
import { runDistributedMap } from './distributedMap.ts';
import { invokeFunction } from './invokeFunction.ts';
import type { Json } from './loadDefinition.ts';
import type { PreparedDefinition } from './prepareDefinition.ts';
import type { ExecutionScope } from './scope.ts';
import { runWait } from './waitState.ts';

export type TaskHandlers = Record<string, (input: unknown) => Promise<unknown>>;

/**
 * The interpreter's `taskResourceLocalHandlers` for one prepared definition: every bound state
 * name -> the in-process implementation (a function's handler, a scaled Wait, the Distributed Map
 * emulator, a child execution), all reporting into the execution's history recorder.
 */
export function buildTaskHandlers(prepared: PreparedDefinition, scope: ExecutionScope): TaskHandlers {
  const handlers: TaskHandlers = {};
  for (const [name, binding] of prepared.bindings) {
    switch (binding.kind) {
      case 'lambda':
        handlers[name] = (input) =>
          invokeFunction(binding, input as Json, scope.services.loader, scope.recorder);
        break;
      case 'wait':
        handlers[name] = (input) => runWait(binding.state, input as Json, scope);
        break;
      case 'startExecution':
        handlers[name] = (input) => runChildExecution(binding, input as Json, scope);
        break;
      case 'distributedMap':
        handlers[name] = (input) => runDistributedMap(binding, input as Json, scope, buildTaskHandlers);
        break;
    }
  }
  return handlers;
}
