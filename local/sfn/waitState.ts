import { setTimeout as sleep } from 'node:timers/promises';
import type { Json, JsonObject } from './loadDefinition.ts';
import type { ExecutionScope } from './scope.ts';
import { evaluatePath } from './templates.ts';

class StatesRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}

/** How long a Wait state waits for this input, in milliseconds, before scaling. */
export async function waitMillis(state: JsonObject, input: Json, context: JsonObject): Promise<number> {
  if (typeof state.Seconds === 'number') return state.Seconds * 1000;
  if (typeof state.Timestamp === 'string') return Date.parse(state.Timestamp) - Date.now();
  if (typeof state.SecondsPath === 'string') {
    const seconds = await evaluatePath(state.SecondsPath, input, context);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new StatesRuntimeError(
        `Wait SecondsPath ${state.SecondsPath} must point to a non-negative integer, got ${JSON.stringify(seconds)}`,
      );
    }
    return seconds * 1000;
  }
  if (typeof state.TimestampPath === 'string') {
    const timestamp = await evaluatePath(state.TimestampPath, input, context);
    const time = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(time)) {
      throw new StatesRuntimeError(
        `Wait TimestampPath ${state.TimestampPath} must point to an RFC 3339 timestamp`,
      );
    }
    return time - Date.now();
  }
  return 0;
}

/** Runs a Wait state with the runner's wait scale; the state's output is its input. */
export async function runWait(state: JsonObject, input: Json, scope: ExecutionScope): Promise<Json> {
  const millis = Math.max(0, (await waitMillis(state, input, scope.context)) * scope.services.waitScale);
  await sleep(Math.min(millis, 2_147_483_647), undefined, { signal: scope.signal }).catch(() => undefined);
  return input;
}
