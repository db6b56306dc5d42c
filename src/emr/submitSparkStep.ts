import { AddJobFlowStepsCommand, type EMRClient, ListStepsCommand } from '@aws-sdk/client-emr';
import { z } from 'zod';
import { SparkStepFailedError } from '../errors.ts';
import { durationSchema } from '../job/common.ts';
import { sparkStepSchema } from '../job/sparkStep.ts';
import type { Logger } from '../log/logger.ts';
import { buildSparkStepRequest } from './buildSparkStepRequest.ts';
import { SPARK_POLL_BACKOFF } from './decideSparkPoll.ts';
import { classifyEmrError } from './emrErrors.ts';
import { partLayoutSchema, runOutputArgs, runResultSchema } from './runOutputArgs.ts';
import type { SparkStepState } from './sparkStepState.ts';
import { stepLogUri } from './stepLogUri.ts';

/** Default time a Spark step may run (the job's `timeouts.spark` default). */
export const DEFAULT_SPARK_TIMEOUT_SECONDS = 7200;

/** The SubmitSparkStep task's input: `{ runId, job, result }` (the job needs a `spark` block). */
export const submitSparkStepInputSchema = z.object({
  runId: z.string().trim().min(1),
  job: z.looseObject({
    spark: sparkStepSchema,
    timeouts: z.looseObject({ spark: durationSchema.optional() }).optional(),
    unload: partLayoutSchema.unwrap().shape.unload,
    process: partLayoutSchema.unwrap().shape.process,
  }),
  result: runResultSchema,
});
export type SubmitSparkStepInput = z.infer<typeof submitSparkStepInputSchema>;

export interface SparkStepDeps {
  emr: EMRClient;
  logger: Logger;
  /** Epoch milliseconds (injected so tests control the deadline). */
  now?: () => number;
}

/**
 * Adds the job's Spark step to its EMR cluster and returns the polling state. Idempotent per run:
 * if a step of the same name (derived from the run id) is already pending, running or completed
 * on the cluster (a retried Lambda, a re-driven execution), that step is adopted instead of
 * adding a second one.
 */
export async function submitSparkStep(
  deps: SparkStepDeps,
  input: SubmitSparkStepInput,
): Promise<SparkStepState> {
  const now = deps.now ?? Date.now;
  const { spark } = input.job;
  const request = buildSparkStepRequest({
    spark,
    runId: input.runId,
    runArgs: runOutputArgs(input.result, spark.args, input.job),
  });
  const stepName = request.Steps?.[0]?.Name ?? '';
  const clusterId = spark.clusterId;

  let stepId = await findExistingStep(deps.emr, clusterId, stepName);
  if (stepId !== undefined) {
    deps.logger.info('Spark step already submitted for this run; adopting it', {
      clusterId,
      stepId,
      stepName,
    });
  } else {
    try {
      const response = await deps.emr.send(new AddJobFlowStepsCommand(request));
      stepId = response.StepIds?.[0];
    } catch (error) {
      const classified = classifyEmrError(error, `AddJobFlowSteps on ${clusterId}`);
      if (classified !== error) throw classified;
      throw new SparkStepFailedError(
        `EMR refused the Spark step on cluster ${clusterId}: ${(error as Error).message}. Check spark.clusterId (the cluster must be running and accept steps) and the step's arguments.`,
        { cause: error, context: { clusterId, stepName } },
      );
    }
    if (stepId === undefined) {
      throw new SparkStepFailedError(`AddJobFlowSteps on ${clusterId} returned no step id`, {
        context: { clusterId },
      });
    }
    deps.logger.info('Spark step submitted', {
      clusterId,
      stepId,
      stepName,
      args: request.Steps?.[0]?.HadoopJarStep?.Args,
    });
  }

  const timeoutSeconds = spark.timeout ?? input.job.timeouts?.spark ?? DEFAULT_SPARK_TIMEOUT_SECONDS;
  const deadline = now() + timeoutSeconds * 1000;
  return {
    clusterId,
    stepId,
    deadline,
    attempt: 0,
    nextWaitSeconds: Math.max(1, Math.min(SPARK_POLL_BACKOFF.firstSeconds, timeoutSeconds)),
    done: false,
    ...(spark.logUri === undefined ? {} : { logUri: stepLogUri(spark.logUri, clusterId, stepId) }),
  };
}

async function findExistingStep(
  emr: EMRClient,
  clusterId: string,
  name: string,
): Promise<string | undefined> {
  try {
    // Newest first; one page (50 steps) covers a retry of the same run.
    const page = await emr.send(
      new ListStepsCommand({ ClusterId: clusterId, StepStates: ['PENDING', 'RUNNING', 'COMPLETED'] }),
    );
    return page.Steps?.find((step) => step.Name === name)?.Id;
  } catch (error) {
    const classified = classifyEmrError(error, `ListSteps on ${clusterId}`);
    if (classified !== error) throw classified;
    throw new SparkStepFailedError(
      `Cannot list the steps of EMR cluster ${clusterId}: ${(error as Error).message}. Check spark.clusterId.`,
      { cause: error, context: { clusterId } },
    );
  }
}
