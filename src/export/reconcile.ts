import { ManifestError, RowCountMismatchError } from '../errors.ts';
import type { PartPlan, PartResult } from './exportRun.ts';

export interface Reconciliation {
  rows: number;
  bytes: number;
  parts: PartResult[];
}

/**
 * Checks that every planned part was processed exactly once and that the rows in the parts add
 * up to the rows the UNLOAD reported (DescribeStatement ResultRows), or, when Redshift did not
 * report them, to the manifest's record count without the header lines.
 */
export function reconcile(input: {
  plan: Pick<PartPlan, 'count' | 'totalRecords' | 'manifestUri'>;
  results: PartResult[];
  unloadedRows: number | null | undefined;
  header: boolean;
}): Reconciliation {
  const byIndex = new Map<number, PartResult>();
  for (const r of input.results) {
    if (byIndex.has(r.index)) {
      throw new ManifestError(
        `Part ${r.index} (${r.source}) was reported twice by the Map state; results are inconsistent.`,
      );
    }
    byIndex.set(r.index, r);
  }
  const missing: number[] = [];
  for (let i = 0; i < input.plan.count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0 || byIndex.size !== input.plan.count) {
    throw new ManifestError(
      `${input.plan.manifestUri} lists ${input.plan.count} parts but ${byIndex.size} were processed (missing: ${missing.slice(0, 10).join(', ') || 'none'}${missing.length > 10 ? ', ...' : ''}). Run the export again.`,
    );
  }
  const parts = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const bytes = parts.reduce((n, p) => n + p.bytesOut, 0);
  let expected: number | undefined;
  let what = '';
  if (input.unloadedRows !== null && input.unloadedRows !== undefined) {
    expected = input.unloadedRows;
    what = 'UNLOAD reported';
  } else if (input.plan.totalRecords !== null) {
    const headerLines = input.header ? parts.filter((p) => p.records > 0).length : 0;
    expected = input.plan.totalRecords - headerLines;
    what = 'the UNLOAD manifest counts';
  }
  if (expected !== undefined && expected !== rows) {
    throw new RowCountMismatchError(
      `${what} ${expected} rows but the ${parts.length} processed parts hold ${rows}. Nothing was published (no _SUCCESS); run the export again.`,
      { context: { expected, actual: rows, parts: parts.length } },
    );
  }
  return { rows, bytes, parts };
}
