import { ExecutionAbortedError, StateMachine } from 'aws-local-stepfunctions';

/**
 * aws-local-stepfunctions runs an inline Map's iterations through p-limit: when one iteration
 * fails it aborts the iterations already running, but the queued ones still start (and call
 * their Lambda tasks) after the Map has failed. On AWS a failed Map starts no new iteration.
 *
 * The interpreter creates one iterator StateMachine per Map state execution (a retried Map gets a
 * new one) from the very ItemProcessor object of our prepared definition. So: prepareDefinition
 * marks those objects, and `StateMachine.prototype.run` is wrapped once so that an iterator whose
 * earlier iteration failed refuses to start more (the refused run rejects as aborted, records no
 * event and calls no handler; the Map has already failed with the first error).
 */
const inlineProcessors = new WeakSet<object>();
const failedIterators = new WeakSet<object>();
let installed = false;

type Run = StateMachine['run'];
type Execution = ReturnType<Run>;

/** Marks a rewritten inline Map ItemProcessor (or Iterator) definition object. */
export function markInlineMapProcessor(processor: object): void {
  installGate();
  inlineProcessors.add(processor);
}

function installGate(): void {
  if (installed) return;
  installed = true;
  const run: Run = StateMachine.prototype.run;
  StateMachine.prototype.run = function gatedRun(this: StateMachine, ...args: Parameters<Run>): Execution {
    const definition = (this as unknown as { definition: object }).definition;
    if (!inlineProcessors.has(definition)) return run.apply(this, args);
    if (failedIterators.has(this)) return notStarted();
    const execution = run.apply(this, args);
    // Registered before the Map's own handlers (p-limit awaits this promise later), so the next
    // queued iteration already sees the failure.
    execution.result.catch(() => failedIterators.add(this));
    return execution;
  };
}

function notStarted(): Execution {
  const result = Promise.reject(new ExecutionAbortedError());
  result.catch(() => {});
  return {
    abort: () => {},
    result,
    eventLogs: (async function* () {})(),
  } as unknown as Execution;
}
