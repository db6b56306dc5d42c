import { z } from 'zod';
import { s3UriSchema } from '../job/common.ts';

/**
 * A job's optional `lineage:` setting: where OpenLineage run events (START, COMPLETE, FAIL) go.
 * An HTTP endpoint (e.g. Marquez's `http://marquez:5000/api/v1/lineage`) and/or an S3 prefix
 * (one object per event under `<prefix><job>/<runId>/`). No credentials here: an endpoint that
 * needs them belongs behind a proxy.
 */
export const lineageOptionsSchema = z
  .object({
    url: z
      .url({
        protocol: /^https?$/,
        error: 'expected an http(s) URL such as "http://marquez:5000/api/v1/lineage"',
      })
      .refine((u) => !/\/\/[^/]*@/.test(u), 'no credentials in the URL')
      .optional(),
    s3: s3UriSchema.optional(),
    /** The OpenLineage job namespace (default `redshift-transfer`). */
    namespace: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9_.:/-]+$/)
      .default('redshift-transfer'),
  })
  .strict()
  .refine((o) => o.url !== undefined || o.s3 !== undefined, {
    message: 'give "url" (an OpenLineage HTTP endpoint), "s3" (a prefix), or both',
  });
export type LineageOptions = z.output<typeof lineageOptionsSchema>;
