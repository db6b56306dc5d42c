import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { Json, JsonObject } from './loadDefinition.ts';
import { jsonText } from './payload.ts';
import type { PreparedDefinition } from './prepareDefinition.ts';
import { readSimplePath } from './templates.ts';

/** Counters an execution keeps however large it gets (the benchmark reads them). */
export interface ExecutionStats {
  /** States entered plus retries (what AWS bills as state transitions), child executions included. */
  stateTransitions: number;
  lambdaInvocations: number;
  /** Child executions started by Distributed Map states. */
  childExecutions: number;
  mapRuns: number;
  /** Items read by Distributed Map states. */
  mapItems: number;
}

export const emptyStats = (): ExecutionStats => ({
  stateTransitions: 0,
  lambdaInvocations: 0,
  childExecutions: 0,
  mapRuns: 0,
  mapItems: 0,
});

type Details = Omit<HistoryEvent, 'id' | 'timestamp' | 'type' | 'previousEventId'>;

/** The subset of the interpreter's event-log entries the recorder reads. */
interface LibraryEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string };
  index?: number;
  Error?: string;
  Cause?: unknown;
}

// Payloads are never truncated locally (AWS truncates over 256 KiB; the runner rejects those).
const data = (_value: unknown) => ({ truncated: false });

/**
 * Turns the interpreter's event log into AWS-shaped history events (`TaskStateEntered`,
 * `LambdaFunctionSucceeded`, `MapRunStarted`...). Child executions of a Distributed Map use a
 * recorder with `keepEvents: false`: they are counted, never stored, so a 100,000-item map costs
 * counters, not memory (on AWS too their histories are separate).
 */
export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private nextId = 1;
  private listeners = new Set<(event: HistoryEvent) => void>();

  constructor(
    private readonly prepared: PreparedDefinition,
    readonly stats: ExecutionStats,
    readonly keepEvents: boolean,
  ) {}

  /** Called with every event as it is recorded (the API endpoint's waiters use it). */
  onEvent(listener: (event: HistoryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(type: HistoryEventType, details: Details = {}): void {
    if (!this.keepEvents) return;
    const id = this.nextId++;
    const event: HistoryEvent = { timestamp: new Date(), type, id, previousEventId: id - 1, ...details };
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** One interpreter event (synchronous: see `flushHistory`). */
  consume(event: LibraryEvent): void {
    if (event.type === 'StateEntered' || event.type === 'StateRetried') this.stats.stateTransitions++;
    if (!this.keepEvents) return;
    const state = event.state;
    switch (event.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        return; // the runner records these itself, with the stop error and cause
      case 'StateEntered': {
        if (state === undefined) return;
        const type = this.typeOf(state.name, state.type);
        this.add(`${type}StateEntered` as HistoryEventType, {
          stateEnteredEventDetails: {
            name: state.name,
            input: jsonText(state.input),
            inputDetails: data(state.input),
          },
        });
        if (type === 'Map' && this.prepared.bindings.get(state.name)?.kind !== 'distributedMap') {
          const definition = this.prepared.states.get(state.name);
          const itemsPath = typeof definition?.ItemsPath === 'string' ? definition.ItemsPath : '$';
          const items = readSimplePath(itemsPath, state.input as Json);
          this.add('MapStateStarted', {
            mapStateStartedEventDetails: Array.isArray(items) ? { length: items.length } : {},
          });
        }
        if (type === 'Parallel') this.add('ParallelStateStarted');
        return;
      }
      case 'StateExited': {
        if (state === undefined) return;
        const type = this.typeOf(state.name, state.type);
        if (type === 'Map' && this.prepared.bindings.get(state.name)?.kind !== 'distributedMap') {
          this.add('MapStateSucceeded');
        }
        if (type === 'Parallel') this.add('ParallelStateSucceeded');
        this.add(`${type}StateExited` as HistoryEventType, {
          stateExitedEventDetails: {
            name: state.name,
            output: jsonText(state.output),
            outputDetails: data(state.output),
          },
        });
        return;
      }
      case 'StateFailed': {
        if (state === undefined) return;
        const binding = this.prepared.bindings.get(state.name);
        const error = event.Error ?? 'States.Runtime';
        const cause = causeText(event.Cause);
        if (binding?.kind === 'lambda' && error === 'States.Timeout') {
          this.add('LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error, cause } });
        } else if (binding === undefined && state.type === 'Map') {
          this.add('MapStateFailed');
        } else if (state.type === 'Parallel') {
          this.add('ParallelStateFailed');
        }
        return;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const details = { name: event.parentState?.name, index: event.index };
        if (event.type === 'MapIterationStarted')
          this.add('MapIterationStarted', { mapIterationStartedEventDetails: details });
        else if (event.type === 'MapIterationSucceeded')
          this.add('MapIterationSucceeded', { mapIterationSucceededEventDetails: details });
        else this.add('MapIterationFailed', { mapIterationFailedEventDetails: details });
        return;
      }
      default:
        return;
    }
  }

  /** The state's type as written in the definition (Wait and Distributed Map run as Tasks). */
  private typeOf(name: string, interpreterType: string): string {
    return this.prepared.stateTypes.get(name) ?? interpreterType;
  }
}

export function causeText(cause: unknown): string {
  if (cause === undefined || cause === null) return '';
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}

/**
 * Resolves once every interpreter event dispatched so far has been consumed: the event log is
 * drained in microtasks, so one macrotask later the recorder has caught up. Handlers call it
 * before recording their own events so that the history keeps the order things happened in.
 */
export function flushHistory(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export type { JsonObject };
