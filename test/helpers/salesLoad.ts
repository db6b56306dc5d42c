import { type LoadJob, loadJobSchema } from '../../src/job/loadJob.ts';
import type { LoadContext } from '../../src/load/loadRun.ts';
import type { TargetColumn } from '../../src/load/targetColumns.ts';

/** A parsed load job of CSV with a header from s3://landing/in/ into public.sales; `extra` replaces top-level keys. */
export function salesJob(extra: Record<string, unknown> = {}): LoadJob {
  return loadJobSchema.parse({
    kind: 'load',
    name: 'sales',
    target: { workgroupName: 'wg', database: 'dev' },
    iamRole: 'arn:aws:iam::123456789012:role/Copy',
    table: 'public.sales',
    source: { prefix: 's3://landing/in/' },
    staging: 's3://stage/runs/',
    format: { type: 'csv', header: true },
    ...extra,
  });
}

/** The run context of a salesJob run into `tableColumns`, loading id, name and amount. */
export function salesContext(
  tableColumns: readonly TargetColumn[],
  extra: Partial<LoadContext> = {},
): LoadContext {
  return {
    runId: 'r1',
    runDate: '2024-05-01',
    stagingPrefix: 's3://stage/runs/sales/r1/',
    table: { schema: 'public', name: 'sales' },
    tableColumns: [...tableColumns],
    fileColumns: ['id', 'name', 'amount'],
    slices: 2,
    partCount: 1,
    ...extra,
  };
}
