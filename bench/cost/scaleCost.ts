import { AWS_RATES, gbSeconds, priceRun } from '../lib/costModel.ts';

/**
 * What a 1 TB export (10,000 UNLOAD parts of 100 MB) and a 1 TB load (10,000 objects) cost on AWS
 * rates, for our two export paths (zero-copy, streaming `verify: full`), an always-on worker
 * (Airflow-style: a machine that polls and moves the bytes itself) and the Spark connector on EMR.
 * A model, not a measurement: every figure it rests on is in SCALE_ASSUMPTIONS, with why. What is
 * the same on every path (the Redshift cluster's time for UNLOAD/COPY, the parts' storage, the
 * PUTs Redshift makes writing the parts) is left out.
 */
export const SCALE_ASSUMPTIONS = {
  /** Part bytes (as UNLOAD writes them, gzip CSV). */
  totalBytes: 1e12,
  parts: 10_000,
  /** gzip CSV expands ~3.5x (bench/part-processing's sales CSV: 100 MB -> ~29 MB gzip). */
  compressionRatio: 3.5,
  /** deploy/functions.yml: processParts and preparePart run at 1769 MB (one full vCPU). */
  lambdaMemoryMb: 1769,
  /** Distributed Map batch (export.asl.yml ItemBatcher MaxItemsPerBatch). */
  batchSize: 100,
  /**
   * Transitions of a 10,000-part export with a Distributed Map (bench/orchestration, measured on
   * the local Step Functions): 121. A load's run is of the same shape.
   */
  stateTransitions: 121,
  /**
   * Server-side copy speed of one CopyObject, part bytes/s. AWS documents no figure; 100 MB/s is
   * a conservative reading of same-Region copies of 100 MB objects (S3 copies inside its own
   * network). The function waits for it, so it is billed while S3 copies.
   */
  copyBytesPerSecond: 100e6,
  /** Fixed cost of one S3 request as seen from Lambda (HEAD, Create/Complete), seconds. */
  requestSeconds: 0.05,
  /**
   * Streaming verify (gunzip + count + SHA-256 on one vCPU): 140 MB/s of CSV, bench/part-processing's
   * 1 GB figure on this machine (0.86x of `gzip -dc | wc` + sha256sum).
   */
  streamCsvBytesPerSecond: 140e6,
  /** lib-storage's part size in processParts: 8 MiB, so a 100 MB part is 12 UploadParts. */
  uploadPartBytes: 8 * 1024 * 1024,
  /**
   * Always-on worker: one m6i.large (2 vCPU) running all day for a daily job, streaming with both
   * cores (2 x the streaming speed). Airflow on MWAA (mw1.small at $0.49/h) would cost ~5x more.
   */
  workerHoursPerDay: 24,
  workerVcpus: 2,
  /**
   * Spark connector on EMR: 1 primary + 4 core m5.xlarge; 10 min to start and bootstrap; 50 MB/s
   * of CSV per vCPU (read, parse, write: Spark's CSV path is slower than zlib alone); for an
   * export it moves the data twice (the connector's UNLOAD to its tempdir, then Spark writes the
   * destination), for a load twice too (Spark writes the tempdir, then Redshift COPYs it).
   */
  emrNodes: 5,
  emrCoreVcpus: 16,
  emrStartupMinutes: 10,
  emrCsvBytesPerVcpuSecond: 50e6,
  /** A load's poll loop: a 1 h COPY takes ~14 polls (bench polling) of ~3 transitions each. */
  loadPollTransitions: 14 * 3,
  /** Each load task (plan, prepare, manifest, COPY + merge, finish): ~6 invocations of ~1 s. */
  loadTasks: 6,
} as const;

export interface CostLine {
  path: string;
  usd: number;
  /** Bytes that pass through compute we pay for by the second (Lambda, a worker, EMR). */
  bytesThroughCompute: number;
  lambdaGbSeconds: number;
  s3Requests: number;
  detail: string;
}

const A = SCALE_ASSUMPTIONS;
const partBytes = A.totalBytes / A.parts;
const s3 = (puts: number, gets: number) =>
  puts * AWS_RATES.s3PutPerRequest + gets * AWS_RATES.s3GetPerRequest;

function lambdaRun(invocations: number, totalSeconds: number) {
  const gbs = gbSeconds(1, totalSeconds, A.lambdaMemoryMb);
  const run = priceRun({
    stateTransitions: A.stateTransitions,
    lambdaInvocations: invocations,
    lambdaGbSeconds: gbs,
  });
  return { gbs, usd: run.total };
}

/** Zero-copy: per part a HEAD and a CopyObject; the function waits for S3's copy. */
export function exportZeroCopy(): CostLine {
  const seconds = A.parts * (partBytes / A.copyBytesPerSecond + 2 * A.requestSeconds);
  const lambda = lambdaRun(A.parts / A.batchSize, seconds);
  const requests = s3(A.parts, A.parts);
  return {
    path: 'zero-copy (verify: manifest)',
    usd: lambda.usd + requests,
    bytesThroughCompute: 0,
    lambdaGbSeconds: lambda.gbs,
    s3Requests: 2 * A.parts,
    detail: `${Math.round(lambda.gbs).toLocaleString('en-US')} GB-s, 0 B through Lambda`,
  };
}

/** Streaming: per part a GET and a multipart upload; one vCPU gunzips, counts and hashes. */
export function exportStreaming(): CostLine {
  const csvSeconds = (partBytes * A.compressionRatio) / A.streamCsvBytesPerSecond;
  const seconds = A.parts * (csvSeconds + 2 * A.requestSeconds);
  const lambda = lambdaRun(A.parts / A.batchSize, seconds);
  const uploadParts = Math.ceil(partBytes / A.uploadPartBytes);
  const puts = A.parts * (uploadParts + 2);
  return {
    path: 'streaming (verify: full)',
    usd: lambda.usd + s3(puts, A.parts),
    bytesThroughCompute: 2 * A.totalBytes,
    lambdaGbSeconds: lambda.gbs,
    s3Requests: puts + A.parts,
    detail: `${Math.round(lambda.gbs).toLocaleString('en-US')} GB-s, 2 TB through Lambda (read + write)`,
  };
}

/** An always-on worker billed all day, streaming the bytes with its own cores. */
export function worker(kind: 'export' | 'load'): CostLine {
  const machine = A.workerHoursPerDay * AWS_RATES.ec2M6iLargePerHour;
  const uploadParts = Math.ceil(partBytes / A.uploadPartBytes);
  const puts = kind === 'export' ? A.parts * (uploadParts + 2) : 0;
  return {
    path: 'always-on worker (m6i.large, Airflow-style polling)',
    usd: machine + s3(puts, A.parts),
    bytesThroughCompute: kind === 'export' ? 2 * A.totalBytes : 0,
    lambdaGbSeconds: 0,
    s3Requests: puts + A.parts,
    detail: `${A.workerHoursPerDay} instance-hours/day`,
  };
}

/** Spark connector on EMR: the cluster's minutes while it moves the data twice. */
export function sparkConnector(): CostLine {
  const csvBytes = 2 * A.totalBytes * A.compressionRatio;
  const minutes = A.emrStartupMinutes + csvBytes / (A.emrCoreVcpus * A.emrCsvBytesPerVcpuSecond) / 60;
  const cluster = (minutes / 60) * A.emrNodes * AWS_RATES.emrM5XlargePerHour;
  const uploadParts = Math.ceil(partBytes / A.uploadPartBytes);
  const puts = A.parts * (uploadParts + 2);
  return {
    path: 'Spark connector on EMR (1 + 4 m5.xlarge)',
    usd: cluster + s3(puts, 2 * A.parts),
    bytesThroughCompute: 2 * A.totalBytes,
    lambdaGbSeconds: 0,
    s3Requests: puts + 2 * A.parts,
    detail: `${Math.round(minutes)} cluster minutes x ${A.emrNodes} nodes`,
  };
}

/** Our load: Redshift COPY reads S3 itself; Lambda plans, checks headers and polls. */
export function loadOurs(): CostLine {
  // preparePart reads each object's head (a ranged GET) to check its format, ~0.1 s each.
  const seconds = A.parts * 0.1 + A.loadTasks * 1;
  const gbs = gbSeconds(1, seconds, A.lambdaMemoryMb);
  const run = priceRun({
    stateTransitions: A.stateTransitions + A.loadPollTransitions,
    lambdaInvocations: A.parts / A.batchSize + A.loadTasks + 14,
    lambdaGbSeconds: gbs,
  });
  return {
    path: 'ours (COPY from S3, checks on object heads)',
    usd: run.total + s3(0, A.parts),
    bytesThroughCompute: 0,
    lambdaGbSeconds: gbs,
    s3Requests: A.parts,
    detail: `${Math.round(gbs).toLocaleString('en-US')} GB-s, 0 B through Lambda`,
  };
}

export interface ScaleCost {
  export: CostLine[];
  load: CostLine[];
}

export function scaleCost(): ScaleCost {
  return {
    export: [exportZeroCopy(), exportStreaming(), worker('export'), sparkConnector()],
    load: [loadOurs(), worker('load'), sparkConnector()],
  };
}
