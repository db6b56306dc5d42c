import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { JobValidationError, RedshiftTransferError } from '../../src/errors.ts';
import { formatIssues } from '../../src/validation/formatIssues.ts';
import { getRuntime, type Runtime } from './runtime.ts';

export interface HandlerSpec<S extends z.ZodType, R> {
  /** The task's name in logs (e.g. `startStatement`). */
  name: string;
  /** The task's input, as the state machine passes it. */
  input: S;
  /** The one call into `src/`. */
  run: (input: z.output<S>, runtime: Runtime) => Promise<R>;
}

/**
 * Wraps a task in middy: validates the input (a bad one is a JobValidationError listing every
 * problem by path), puts the run id on every log line, logs failures with their name and
 * rethrows them untouched so the state machine's Retry/Catch can match on the error name.
 */
export function defineHandler<S extends z.ZodType, R>(spec: HandlerSpec<S, R>) {
  return middy<unknown, R, Error, Context>()
    .before((request) => {
      const { logger } = getRuntime();
      const event = request.event as { runId?: unknown } | undefined;
      const runId = typeof event?.runId === 'string' ? event.runId : undefined;
      logger.resetKeys();
      logger.appendKeys({ task: spec.name, ...(runId === undefined ? {} : { runId }) });
      if (request.context?.awsRequestId) logger.appendKeys({ requestId: request.context.awsRequestId });
    })
    .onError((request) => {
      const { logger } = getRuntime();
      const error = request.error;
      if (error) {
        logger.error(`${spec.name} failed`, {
          errorName: error.name,
          errorMessage: error.message,
          ...(error instanceof RedshiftTransferError ? { context: error.context } : {}),
        });
      }
    })
    .handler(async (event: unknown) => {
      const parsed = spec.input.safeParse(event);
      if (!parsed.success) {
        throw new JobValidationError(
          `Invalid input for task ${spec.name}`,
          formatIssues(parsed.error.issues),
        );
      }
      return spec.run(parsed.data, getRuntime());
    });
}
