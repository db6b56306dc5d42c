import { z } from 'zod';
import { JobValidationError } from '../errors.ts';
import { formatIssues } from '../validation/formatIssues.ts';
import { nulIssues } from './common.ts';
import { exportJobSchema } from './exportJob.ts';
import { loadJobSchema } from './loadJob.ts';
import { transferJobSchema } from './transferJob.ts';

/**
 * Every kind of job document, told apart by `kind`. Each kind adds itself here with one line.
 */
export const jobSchema = z.discriminatedUnion('kind', [exportJobSchema, loadJobSchema, transferJobSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'expected "kind" to be one of: export, load, transfer' : undefined,
});
export type Job = z.output<typeof jobSchema>;
export type JobKind = Job['kind'];

/**
 * Validates a job document (already parsed from YAML/JSON). Throws JobValidationError listing
 * every problem by path; `source` (a file name) is named in the message.
 */
export function parseJob(document: unknown, source = 'job document'): Job {
  const nul = nulIssues(document);
  const parsed = jobSchema.safeParse(document);
  if (!parsed.success || nul.length > 0) {
    const issues = parsed.success ? [] : formatIssues(parsed.error.issues);
    throw new JobValidationError(`Invalid ${source}`, [...nul, ...issues.filter((i) => !nul.includes(i))]);
  }
  return parsed.data;
}

/**
 * Validates a document derived from a job (e.g. a transfer's export and load halves) with
 * `schema`; a problem is a JobValidationError naming `source` and the field, never a raw ZodError.
 */
export function parseDerived<S extends z.ZodType>(schema: S, document: unknown, source: string): z.output<S> {
  const parsed = schema.safeParse(document);
  if (!parsed.success) throw new JobValidationError(`Invalid ${source}`, formatIssues(parsed.error.issues));
  return parsed.data;
}
