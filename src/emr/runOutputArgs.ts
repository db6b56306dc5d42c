import { z } from 'zod';

/**
 * What the main work hands to the Spark step: an export's summary
 * (`{ manifestUri, destination, rows, parts, bytes }`), a load's, or anything else. Only the
 * fields a script can use are read; the rest is ignored.
 */
export const runResultSchema = z.looseObject({ manifestUri: z.string().optional() }).optional();
export type RunResult = z.infer<typeof runResultSchema>;

/** The parts of an export job that say how its delimited parts are laid out. */
export const partLayoutSchema = z
  .looseObject({
    unload: z
      .looseObject({
        format: z.string().optional(),
        header: z.boolean().optional(),
        delimiter: z.string().optional(),
        nullAs: z.string().optional(),
      })
      .optional(),
    process: z.looseObject({ convert: z.string().optional() }).optional(),
  })
  .optional();
export type PartLayout = z.infer<typeof partLayoutSchema>;

/**
 * The script arguments that point it at the run's outputs: `--manifest <uri>` for an export, so
 * redshift.py reads the processed parts listed there (no second UNLOAD), plus how delimited parts
 * are laid out (`--csv-header`, `--csv-delimiter`, `--csv-null`), which `_manifest.json` does not
 * record. An option the job's own `spark.args` already sets is not added again: the job's value
 * wins. A load's summary adds nothing (its script names the table in `spark.args`).
 */
export function runOutputArgs(result: RunResult, jobArgs: readonly string[], layout?: PartLayout): string[] {
  const given = new Set(jobArgs.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
  const manifestUri = result?.manifestUri;
  if (manifestUri === undefined || manifestUri === '') return [];
  const args: string[] = [];
  const add = (option: string, value: string | undefined) => {
    if (value !== undefined && !given.has(option)) args.push(option, value);
  };
  add('--manifest', manifestUri);
  const unload = layout?.unload;
  const converted = layout?.process?.convert !== undefined && layout.process.convert !== 'none';
  if (unload !== undefined && !converted && (unload.format === 'csv' || unload.format === 'text')) {
    add('--csv-header', unload.header === true ? 'true' : 'false');
    add('--csv-delimiter', unload.delimiter ?? (unload.format === 'text' ? '|' : undefined));
    add('--csv-null', unload.nullAs);
  }
  return args;
}
