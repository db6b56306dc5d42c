import { JobValidationError } from '../errors.ts';

/** The placeholders a job's S3 URIs may contain; resolved once, at plan time. */
export const templateVariables = ['runDate', 'runId', 'jobName', 'year', 'month', 'day'] as const;
export type TemplateVariable = (typeof templateVariables)[number];
export type TemplateValues = Record<TemplateVariable, string>;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The names of placeholders in `text` that we do not know (empty when all are valid). */
export function unknownPlaceholders(text: string): string[] {
  const unknown: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!(templateVariables as readonly string[]).includes(name)) unknown.push(name);
  }
  return unknown;
}

/** What is wrong with the `{placeholders}` of `text` (unbalanced braces, unknown names), if anything. */
export function placeholderIssue(text: string): string | undefined {
  let open = false;
  for (const ch of text) {
    if (ch === '{') {
      if (open) return 'unbalanced "{": placeholders are not nested, e.g. "{runDate}"';
      open = true;
    } else if (ch === '}') {
      if (!open) return 'unbalanced "}": a placeholder is written "{runDate}"';
      open = false;
    }
  }
  if (open) return 'unbalanced "{": close the placeholder with "}"';
  const unknown = unknownPlaceholders(text);
  if (unknown.length > 0) {
    return `unknown placeholder ${unknown.map((u) => `{${u}}`).join(', ')}; use ${templateVariables.map((v) => `{${v}}`).join(', ')}`;
  }
  return undefined;
}

/** The values of every placeholder for one run. `runDate` is `YYYY-MM-DD`. */
export function templateValues(input: { runDate: string; runId: string; jobName: string }): TemplateValues {
  const [year = '', month = '', day = ''] = input.runDate.split('-');
  return { runDate: input.runDate, runId: input.runId, jobName: input.jobName, year, month, day };
}

/**
 * Replaces `{runDate}`, `{runId}`, `{jobName}`, `{year}`, `{month}`, `{day}` in `text`. An unknown
 * placeholder is a JobValidationError naming `field`, so a typo never becomes a literal `{rundate}`
 * folder in S3.
 */
export function resolveTemplate(text: string, values: TemplateValues, field = 'template'): string {
  const unknown = unknownPlaceholders(text);
  if (unknown.length > 0) {
    throw new JobValidationError(`Invalid job document`, [
      `${field}: unknown placeholder ${unknown.map((u) => `{${u}}`).join(', ')}; use one of ${templateVariables.map((v) => `{${v}}`).join(', ')}`,
    ]);
  }
  return text.replace(PLACEHOLDER, (_, name: TemplateVariable) => values[name]);
}
