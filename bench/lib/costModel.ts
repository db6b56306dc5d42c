/**
 * AWS list prices the benchmarks price runs at (us-east-1, on-demand, before free tiers).
 * One table, with its source, so that a price change is one edit.
 */
export const AWS_RATES = {
  /** Standard workflows: per state transition (retries count; Distributed Map STANDARD children too). */
  sfnStandardPerTransition: 0.025 / 1000,
  /** Express workflows (children with ExecutionType EXPRESS): per request... */
  sfnExpressPerRequest: 1.0 / 1_000_000,
  /** ...plus per GB-second of duration, billed in 64 MB steps. */
  sfnExpressPerGbSecond: 0.00001667,
  /** Lambda: per request. */
  lambdaPerRequest: 0.2 / 1_000_000,
  /** Lambda x86: per GB-second (first 6 billion GB-s a month; arm64 is 0.0000133334). */
  lambdaPerGbSecondX86: 0.0000166667,
  /** Redshift Data API calls themselves are free: the cluster or RPU time is billed, not the call. */
  dataApiPerCall: 0,
  /** S3 Standard: PUT, COPY, POST, LIST requests (CreateMultipartUpload, UploadPart(Copy), Complete...). */
  s3PutPerRequest: 0.005 / 1000,
  /** S3 Standard: GET, HEAD and other requests. */
  s3GetPerRequest: 0.0004 / 1000,
  /** EC2 m6i.large (2 vCPU, 8 GiB) on-demand, per hour: an always-on worker. */
  ec2M6iLargePerHour: 0.096,
  /** EC2 m5.xlarge (4 vCPU, 16 GiB) on-demand plus the EMR charge for it, per hour. */
  emrM5XlargePerHour: 0.192 + 0.048,
} as const;

export const AWS_RATES_SOURCE =
  'aws.amazon.com/step-functions/pricing, aws.amazon.com/lambda/pricing, aws.amazon.com/s3/pricing, aws.amazon.com/ec2/pricing and aws.amazon.com/emr/pricing (us-east-1, on-demand, no free tier)';

export interface RunUsage {
  /** Billed state transitions: the parent's plus every STANDARD child execution's. */
  stateTransitions: number;
  lambdaInvocations: number;
  /** Lambda GB-seconds (memory in GB x billed seconds, summed over invocations). */
  lambdaGbSeconds: number;
}

export interface RunCost {
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  total: number;
}

/** Prices one run's usage at AWS_RATES (Standard workflows, x86 Lambda). */
export function priceRun(usage: RunUsage, rates = AWS_RATES): RunCost {
  const stepFunctions = usage.stateTransitions * rates.sfnStandardPerTransition;
  const lambdaRequests = usage.lambdaInvocations * rates.lambdaPerRequest;
  const lambdaDuration = usage.lambdaGbSeconds * rates.lambdaPerGbSecondX86;
  return {
    stepFunctions,
    lambdaRequests,
    lambdaDuration,
    total: stepFunctions + lambdaRequests + lambdaDuration,
  };
}

/** GB-seconds of `invocations` calls of `seconds` each on a function of `memoryMb`. */
export function gbSeconds(invocations: number, seconds: number, memoryMb: number): number {
  // Lambda bills duration in 1 ms steps.
  const billed = Math.ceil(seconds * 1000) / 1000;
  return invocations * billed * (memoryMb / 1024);
}
