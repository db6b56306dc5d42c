import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { ConfigError } from '../../src/errors.ts';
import { flushHistory, type HistoryRecorder } from './historyRecorder.ts';
import type { Json } from './loadDefinition.ts';
import { toAslError, toPayload } from './payload.ts';
import type { Binding } from './prepareDefinition.ts';

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Loads `functions/<name>.ts` once per process and returns its exported `handler`. */
export class FunctionLoader {
  private readonly handlers = new Map<string, Promise<LambdaHandler>>();

  constructor(readonly functionsDir: string) {}

  load(functionName: string): Promise<LambdaHandler> {
    let handler = this.handlers.get(functionName);
    if (handler === undefined) {
      const file = join(this.functionsDir, `${functionName}.ts`);
      handler = import(pathToFileURL(file).href).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function') {
          throw new ConfigError(
            `${file} does not export a function named "handler" (export const handler = defineHandler(...))`,
          );
        }
        return module.handler as LambdaHandler;
      });
      this.handlers.set(functionName, handler);
    }
    return handler;
  }
}

/** The context object Lambda passes as the handler's second argument. */
export function lambdaContext(functionArn: string, timeoutSeconds: number): Context {
  const functionName = functionArn.split(':')[6] ?? functionArn;
  const deadline = Date.now() + timeoutSeconds * 1000;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * Invokes a task's handler in-process as Lambda would: JSON in, JSON out (payload limit
 * checked), a fresh context object, and a thrown error surfacing to the ASL with its `name` as
 * the error and its message as the cause. Records the LambdaFunction* history events.
 */
export async function invokeFunction(
  binding: Extract<Binding, { kind: 'lambda' }>,
  input: Json,
  loader: FunctionLoader,
  recorder: HistoryRecorder,
): Promise<Json> {
  recorder.stats.lambdaInvocations++;
  if (recorder.keepEvents) await flushHistory();
  const { json: event, text } = toPayload(input, `The input of state ${binding.stateName}`);
  recorder.add('LambdaFunctionScheduled', {
    lambdaFunctionScheduledEventDetails: {
      resource: binding.resource,
      input: text,
      inputDetails: { truncated: false },
      timeoutInSeconds: binding.timeoutSeconds,
    },
  });
  recorder.add('LambdaFunctionStarted');
  let output: Json;
  try {
    const handler = await loader.load(binding.functionName);
    const raw = await handler(event, lambdaContext(binding.resource, binding.timeoutSeconds));
    const payload = toPayload(raw, `The result of ${binding.functionName} (state ${binding.stateName})`);
    output = payload.json;
    recorder.add('LambdaFunctionSucceeded', {
      lambdaFunctionSucceededEventDetails: { output: payload.text, outputDetails: { truncated: false } },
    });
  } catch (thrown) {
    const error =
      (thrown as { isCatchable?: boolean }).isCatchable === false ? (thrown as Error) : toAslError(thrown);
    recorder.add('LambdaFunctionFailed', {
      lambdaFunctionFailedEventDetails: { error: error.name, cause: error.message },
    });
    throw error;
  }
  return output;
}
