import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * What the stand-in tasks of one orchestration run return. The benchmark sets it before each
 * run; the stand-ins are loaded by the LocalRunner from this directory in the same process, so
 * they share this module.
 */
export interface Scenario {
  parts: number;
  /** What PlanParts returns: the part list inline, or an items file for the Distributed Map. */
  mode: 'inline' | 'distributed';
  /** PollStatement reports FINISHED on this poll (1 = the first). */
  pollsUntilDone: number;
  rowsPerPart: number;
  bytesPerPart: number;
  stateBucket: string;
  s3: S3Client | undefined;
  /** Largest task input/output seen in any execution (children included), UTF-8 bytes. */
  largestPayload: { bytes: number; where: string };
}

export const scenario: Scenario = {
  parts: 10,
  mode: 'inline',
  pollsUntilDone: 4,
  rowsPerPart: 10_000,
  bytesPerPart: 64 * 1024 * 1024,
  stateBucket: 'rt-state',
  s3: undefined,
  largestPayload: { bytes: 0, where: '' },
};

/** Records the size of a task's input or output (Lambda serialises it as JSON). */
export function notePayload(value: unknown, where: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
  if (bytes > scenario.largestPayload.bytes) scenario.largestPayload = { bytes, where };
}

export const STAGING = 's3://rt-staging/bench-orchestration/2024-01-01T02-00-00Z-0f3a9c2b/';
export const DESTINATION = 's3://rt-exports/sales/run_date=2024-01-01/';

/** An UNLOAD file name as Redshift writes them: `<slice>_part_<nn>.gz`. */
export function partUrl(index: number): string {
  const slice = String(index % 10_000).padStart(4, '0');
  const part = String(Math.floor(index / 10_000)).padStart(2, '0');
  return `${STAGING}${slice}_part_${part}.gz`;
}

export async function putItems(key: string, body: string): Promise<void> {
  if (scenario.s3 === undefined) throw new Error('the orchestration scenario has no S3 client');
  await scenario.s3.send(
    new PutObjectCommand({
      Bucket: scenario.stateBucket,
      Key: key,
      Body: body,
      ContentType: 'application/json',
    }),
  );
}
