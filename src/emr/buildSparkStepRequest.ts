import type { AddJobFlowStepsCommandInput } from '@aws-sdk/client-emr';
import type { SparkStep } from '../job/sparkStep.ts';
import { buildSparkSubmitArgs } from './sparkSubmitArgs.ts';

/** EMR's limit on a step name. */
export const MAX_STEP_NAME_LENGTH = 256;

/**
 * The step's name: the job's `spark.name` if given, else `redshift-transfer-<runId>-spark`, so a
 * run's step is recognisable in the console and in ListSteps. Cut to EMR's 256 characters.
 */
export function sparkStepName(runId: string, name?: string): string {
  const full = name ?? `redshift-transfer-${runId}-spark`;
  return full.length <= MAX_STEP_NAME_LENGTH ? full : full.slice(0, MAX_STEP_NAME_LENGTH);
}

export interface SparkStepRequestInput {
  spark: SparkStep;
  runId: string;
  /** Arguments derived from the run's outputs (e.g. `--manifest s3://.../_manifest.json`). */
  runArgs?: readonly string[];
}

/**
 * The whole AddJobFlowSteps request for the job's Spark step: one command-runner.jar step whose
 * argv is spark-submit's (no shell between EMR and spark-submit).
 */
export function buildSparkStepRequest({
  spark,
  runId,
  runArgs = [],
}: SparkStepRequestInput): AddJobFlowStepsCommandInput {
  return {
    JobFlowId: spark.clusterId,
    Steps: [
      {
        Name: sparkStepName(runId, spark.name),
        ActionOnFailure: spark.actionOnFailure,
        HadoopJarStep: {
          Jar: 'command-runner.jar',
          Args: buildSparkSubmitArgs(spark, runArgs),
        },
      },
    ],
  };
}
