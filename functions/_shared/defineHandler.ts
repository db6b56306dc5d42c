import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Env } from '../../src/config/env.ts';
import { JobValidationError, RedshiftTransferError } from '../../src/errors.ts';
import type { emitLineage } from '../../src/lineage/emitLineage.ts';
import type { LineageEmission } from '../../src/lineage/jobLineage.ts';
import type { MetricBatch } from '../../src/metrics/runMetrics.ts';
import { formatIssues } from '../../src/validation/formatIssues.ts';
import { publishMetrics } from './metrics.ts';
import { getRuntime, type Runtime } from './runtime.ts';

export interface HandlerSpec<S extends z.ZodType, R> {
  /** The task's name in logs (e.g. `startStatement`). */
  name: string;
  /** The task's input, as the state machine passes it. */
  input: S;
  /** The one call into `src/`. */
  run: (input: z.output<S>, runtime: Runtime) => Promise<R>;
  /** The run metrics this task's result stands for (src/metrics/runMetrics.ts), if any. */
  metrics?: (input: z.output<S>, result: R) => MetricBatch | undefined;
  /**
   * The OpenLineage event this task's result stands for, when the job asks for lineage, and the
   * emitter (src/lineage/emitLineage.ts), imported by the handler itself so that only the
   * handlers that emit lineage are granted what it calls (deploy/iam derives IAM from imports).
   */
  lineage?: {
    of: (input: z.output<S>, result: R, env: Env) => LineageEmission | undefined;
    emit: typeof emitLineage;
  };
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
    .onError(async (request) => {
      const { logger, env } = getRuntime();
      const error = request.error;
      if (error) {
        const event = request.event as
          | { runId?: unknown; jobName?: unknown; job?: { name?: unknown } }
          | undefined;
        const job =
          typeof event?.job?.name === 'string'
            ? event.job.name
            : typeof event?.jobName === 'string'
              ? event.jobName
              : undefined;
        await publishMetrics(
          {
            job,
            metrics: [{ name: 'TaskErrors', value: 1 }],
            metadata: { task: spec.name, errorName: error.name },
          },
          {
            runId: typeof event?.runId === 'string' ? event.runId : undefined,
            metricsFile: env.RT_METRICS_FILE,
          },
        ).catch((e: unknown) => logger.warn('could not publish metrics', { error: String(e) }));
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
      const runtime = getRuntime();
      const result = await spec.run(parsed.data, runtime);
      const batch = spec.metrics?.(parsed.data, result);
      if (batch !== undefined) {
        const runId = (event as { runId?: unknown }).runId;
        // Metrics never fail a task that did its work.
        await publishMetrics(batch, {
          runId: typeof runId === 'string' ? runId : undefined,
          metricsFile: runtime.env.RT_METRICS_FILE,
        }).catch((e: unknown) => runtime.logger.warn('could not publish metrics', { error: String(e) }));
      }
      const lineage = spec.lineage?.of(parsed.data, result, runtime.env);
      if (lineage !== undefined) {
        // Lineage is best effort: an unreachable endpoint never fails a run that did its work.
        await spec.lineage
          ?.emit(lineage.options, lineage.event, {
            s3: runtime.clients.s3,
            runId: lineage.runId,
          })
          .catch((e: unknown) =>
            runtime.logger.warn('could not emit the OpenLineage event', {
              eventType: lineage.event.eventType,
              error: String(e),
            }),
          );
      }
      return result;
    });
}
