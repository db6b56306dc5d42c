import { z } from 'zod';

/**
 * What the main work hands to the Spark step: an export's summary
 * (`{ manifestUri, destination, rows, parts, bytes }`), a load's, or anything else. Only the
 * fields a script can use are read; the rest is ignored.
 */
export const runResultSchema = z.looseObject({ manifestUri: z.string().optional() }).optional();
export type RunResult = z.infer<typeof runResultSchema>;

/**
 * The script arguments that point it at the run's outputs: `--manifest <uri>` for an export, so
 * redshift.py reads the processed parts listed there (no second UNLOAD). An option the job's own
 * `spark.args` already sets is not added again: the job's value wins. A load's summary adds
 * nothing (its script names the table in `spark.args`).
 */
export function runOutputArgs(result: RunResult, jobArgs: readonly string[]): string[] {
  const given = new Set(jobArgs.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
  const manifestUri = result?.manifestUri;
  if (manifestUri === undefined || manifestUri === '' || given.has('--manifest')) return [];
  return ['--manifest', manifestUri];
}
