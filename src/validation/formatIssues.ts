import type { z } from 'zod';

/**
 * Renders zod issues as `path: message` lines, one per problem, so that a user sees every
 * mistake in a document at once (`unload.maxFileSize: expected "256 MB"...`).
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
    const where = path.replace(/\.\[/g, '[');
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
}
