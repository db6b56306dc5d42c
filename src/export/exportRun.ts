import { z } from 'zod';
import { statementStateSchema } from '../dataapi/pollStatement.ts';
import { s3UriSchema } from '../job/common.ts';
import { exportJobSchema } from '../job/exportJob.ts';
import { runDateSchema, runIdSchema } from '../job/runContext.ts';

/**
 * The run context of an export as the state machine carries it (`$`): the plan task creates it,
 * later tasks receive the parts they need. `staging`/`destination` are resolved folders.
 */
export const exportRunSchema = z.object({
  runId: runIdSchema,
  runDate: runDateSchema,
  jobName: z.string(),
  job: exportJobSchema,
  staging: s3UriSchema,
  destination: s3UriSchema,
  /** Epoch ms. */
  plannedAt: z.number().int(),
});
export type ExportRun = z.output<typeof exportRunSchema>;

/** One UNLOAD file to process, as planParts lists it (inline or in the items file). */
export const partItemSchema = z
  .object({
    index: z.number().int().nonnegative(),
    url: z.string().regex(/^s3:\/\//),
    contentLength: z.number().int().nonnegative(),
    recordCount: z.number().int().nonnegative().optional(),
  })
  .strict();
export type PartItem = z.infer<typeof partItemSchema>;

export const columnSchema = z.object({ name: z.string(), type: z.string() }).strict();

/** planParts' result (`$.parts`). */
export const partPlanSchema = z
  .object({
    mode: z.enum(['inline', 'distributed']),
    count: z.number().int().nonnegative(),
    parts: z.array(partItemSchema).optional(),
    itemsBucket: z.string().optional(),
    itemsKey: z.string().optional(),
    resultsPrefix: z.string(),
    manifestUri: z.string(),
    schema: z.array(columnSchema),
    totalRecords: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type PartPlan = z.infer<typeof partPlanSchema>;

const verifiedSchema = z.enum(['records', 'bytes', 'manifest']);

/** processParts' result for one part. */
export const partResultSchema = z
  .object({
    index: z.number().int().nonnegative(),
    source: z.string(),
    url: z.string(),
    records: z.number().int().nonnegative(),
    rows: z.number().int().nonnegative(),
    bytesIn: z.number().int().nonnegative(),
    bytesOut: z.number().int().nonnegative(),
    /** SHA-256 (hex) of the output; '' when only a CRC64NVME is known (multipart server-side copy). */
    sha256: z.string(),
    /**
     * How the part was checked: `records` (streamed and counted here), `bytes` (bzip2, size only),
     * `manifest` (copied inside S3: size checked, counts from UNLOAD's VERBOSE manifest).
     */
    verified: verifiedSchema,
    /** S3's full-object checksum of the output, `SHA256:base64` or `CRC64NVME:base64`. */
    checksum: z.string().optional(),
    /** Bytes that passed through the function: read plus written (0 for a server-side copy). */
    lambdaBytes: z.number().int().nonnegative().optional(),
  })
  .strict();
export type PartResult = z.infer<typeof partResultSchema>;

/**
 * What one inline Map iteration keeps of processParts' result (the ProcessPart task's
 * ResultSelector in export.asl.yml): what finalize cannot recompute from the plan. Source URL,
 * output URL and bytesIn (= the manifest's content_length, verified) come from the plan, so the
 * state grows by ~150 bytes per part instead of ~500.
 */
export const partDigestSchema = z
  .object({
    i: z.number().int().nonnegative(),
    records: z.number().int().nonnegative(),
    rows: z.number().int().nonnegative(),
    bytesOut: z.number().int().nonnegative(),
    /** Older digests; now the SHA-256 travels once, inside `checksum`. */
    sha256: z.string().optional(),
    verified: verifiedSchema,
    checksum: z.string().optional(),
    lambdaBytes: z.number().int().nonnegative().optional(),
  })
  .strict();
export type PartDigest = z.infer<typeof partDigestSchema>;

export { statementStateSchema };
