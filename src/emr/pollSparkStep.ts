import { CancelStepsCommand, DescribeStepCommand, type Step } from '@aws-sdk/client-emr';
import { z } from 'zod';
import { DeadlineExceededError, SparkStepFailedError } from '../errors.ts';
import { decideSparkPoll } from './decideSparkPoll.ts';
import { classifyEmrError } from './emrErrors.ts';
import { type SparkStepState, STEP_STATES, type StepState, sparkStepStateSchema } from './sparkStepState.ts';
import type { SparkStepDeps } from './submitSparkStep.ts';

/** The PollSparkStep task's input: `{ runId, spark: <what SubmitSparkStep or the last poll returned> }`. */
export const pollSparkStepInputSchema = z.object({
  runId: z.string().trim().min(1),
  spark: sparkStepStateSchema,
});
export type PollSparkStepInput = z.infer<typeof pollSparkStepInputSchema>;

/**
 * One DescribeStep and the decision on it (see decideSparkPoll): returns the polling state with
 * `state`, `done`, the next wait and `attempt + 1`; throws SparkStepFailedError (with EMR's
 * FailureDetails: reason, message, log file) when the step failed, was cancelled or interrupted,
 * and DeadlineExceededError after asking EMR to cancel a step that outlived its deadline.
 */
export async function pollSparkStep(deps: SparkStepDeps, input: PollSparkStepInput): Promise<SparkStepState> {
  const now = deps.now ?? Date.now;
  const { clusterId, stepId } = input.spark;
  let step: Step | undefined;
  try {
    step = (await deps.emr.send(new DescribeStepCommand({ ClusterId: clusterId, StepId: stepId }))).Step;
  } catch (error) {
    const classified = classifyEmrError(error, `DescribeStep ${stepId} on ${clusterId}`);
    if (classified !== error) throw classified;
    throw new SparkStepFailedError(
      `Cannot describe Spark step ${stepId} on EMR cluster ${clusterId}: ${(error as Error).message}`,
      {
        cause: error,
        context: { clusterId, stepId },
      },
    );
  }
  const state = parseState(step?.Status?.State, clusterId, stepId);
  const attempt = input.spark.attempt + 1;
  const at = now();
  const decision = decideSparkPoll(state, attempt, at, input.spark.deadline);
  const failure = step?.Status?.FailureDetails;
  const logUri = failure?.LogFile ?? input.spark.logUri;
  const base = { ...input.spark, state, attempt, ...(logUri === undefined ? {} : { logUri }) };

  switch (decision.action) {
    case 'done':
      deps.logger.info('Spark step completed', { clusterId, stepId, attempt });
      return { ...base, done: true, nextWaitSeconds: 0 };
    case 'wait':
      return { ...base, done: false, nextWaitSeconds: decision.nextWaitSeconds };
    case 'cancel':
      await cancelStep(deps, clusterId, stepId);
      throw new DeadlineExceededError(
        `Spark step ${stepId} on EMR cluster ${clusterId} was still ${state} at its deadline (${new Date(input.spark.deadline).toISOString()}); it has been cancelled. Raise spark.timeout (or timeouts.spark) if the step needs longer${logUri === undefined ? '' : `; logs: ${logUri}`}.`,
        { context: { clusterId, stepId, state, deadline: input.spark.deadline } },
      );
    case 'fail': {
      const reason = failure?.Reason ?? step?.Status?.StateChangeReason?.Message;
      const detail = [
        reason === undefined ? undefined : `reason: ${reason}`,
        failure?.Message === undefined ? undefined : `message: ${failure.Message}`,
        failure?.LogFile === undefined
          ? logUri === undefined
            ? undefined
            : `logs: ${logUri}`
          : `log file: ${failure.LogFile}`,
      ].filter((part) => part !== undefined);
      throw new SparkStepFailedError(
        `Spark step ${stepId} on EMR cluster ${clusterId} ended ${state}${detail.length > 0 ? `: ${detail.join('; ')}` : ''}. Read the step's log for the full error.`,
        {
          context: {
            clusterId,
            stepId,
            state,
            ...(reason === undefined ? {} : { reason }),
            ...(failure?.Message === undefined ? {} : { failureMessage: failure.Message }),
            ...(failure?.LogFile === undefined ? {} : { logFile: failure.LogFile }),
          },
        },
      );
    }
  }
}

function parseState(value: string | undefined, clusterId: string, stepId: string): StepState {
  if (value !== undefined && (STEP_STATES as readonly string[]).includes(value)) return value as StepState;
  throw new SparkStepFailedError(
    `DescribeStep returned an unknown state ${JSON.stringify(value)} for step ${stepId} on ${clusterId}`,
    {
      context: { clusterId, stepId },
    },
  );
}

async function cancelStep(deps: SparkStepDeps, clusterId: string, stepId: string): Promise<void> {
  try {
    const response = await deps.emr.send(
      new CancelStepsCommand({
        ClusterId: clusterId,
        StepIds: [stepId],
        StepCancellationOption: 'SEND_INTERRUPT',
      }),
    );
    const info = response.CancelStepsInfoList?.find((i) => i.StepId === stepId);
    deps.logger.warn('Spark step past its deadline: cancel requested', {
      clusterId,
      stepId,
      cancelStatus: info?.Status,
      cancelReason: info?.Reason,
    });
  } catch (error) {
    // The deadline error is what matters to the state machine; a failed cancel is logged with it.
    deps.logger.error('CancelSteps failed for a Spark step past its deadline', {
      clusterId,
      stepId,
      errorName: (error as Error).name,
      errorMessage: (error as Error).message,
    });
  }
}
