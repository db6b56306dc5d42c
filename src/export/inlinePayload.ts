import type { ExportJob } from '../job/exportJob.ts';
import type { PartDigest, PartPlan } from './exportRun.ts';

/** Step Functions' limit on a state's input or output and on a task's payload (UTF-8 bytes). */
export const STATE_PAYLOAD_LIMIT_BYTES = 262_144;

/**
 * The most the inline path may put in the state (job + plan with its part list + the Map's
 * digests + the rest of the run context): 64 KiB below the limit, so the CleanupExport input
 * (state + caught error) and rounding in the estimate never reach it.
 */
export const INLINE_STATE_BUDGET_BYTES = 192 * 1024;

/** The largest digest one iteration can return: every number at its maximum. */
const LARGEST_DIGEST: PartDigest = {
  i: 99_999_999,
  records: Number.MAX_SAFE_INTEGER,
  rows: Number.MAX_SAFE_INTEGER,
  bytesOut: Number.MAX_SAFE_INTEGER,
  verified: 'manifest',
  // The longer of the two forms (a CRC64NVME is 12 base64 characters).
  checksum: `SHA256:${'A'.repeat(43)}=`,
  lambdaBytes: Number.MAX_SAFE_INTEGER,
};
/** Bytes one part adds to the Map's result array (its digest and a comma). */
export const DIGEST_MAX_BYTES = Buffer.byteLength(JSON.stringify(LARGEST_DIGEST)) + 1;

/**
 * Everything else the state holds at FinalizeExport besides the job, the plan and the digests:
 * runId, runDate, jobName, plannedAt, the statement (~300 bytes) and the resolved staging and
 * destination URIs (an S3 key is at most 1,024 bytes, so 2 x ~1.1 KiB), with room to spare.
 */
export const STATE_OVERHEAD_BYTES = 8 * 1024;

/**
 * An upper bound of the largest state of an inline run (what FinalizeExport receives and what
 * the Map state outputs): the job and the plan as they are, plus the largest digest per part.
 */
export function inlineStateBytes(job: ExportJob, plan: PartPlan): number {
  return (
    Buffer.byteLength(JSON.stringify(job)) +
    Buffer.byteLength(JSON.stringify(plan)) +
    plan.count * DIGEST_MAX_BYTES +
    STATE_OVERHEAD_BYTES
  );
}
