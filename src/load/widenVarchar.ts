import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { z } from 'zod';
import { executeStatement } from '../dataapi/dataApi.ts';
import { type StatementState, startedStatement } from '../dataapi/pollStatement.ts';
import { clientToken, statementName } from '../dataapi/statementIdentity.ts';
import type { LoadJob } from '../job/loadJob.ts';
import type { QualifiedName } from '../sql/identifiers.ts';
import { alterVarcharSql, MAX_VARCHAR } from '../sql/schemaEvolution.ts';
import { varcharLength } from './inferTypes.ts';
import type { TargetColumn } from './targetColumns.ts';

/** A VARCHAR column the run widens before its load transaction (schemaEvolution: widenVarchar). */
export const widenedColumnSchema = z
  .object({
    column: z.string().min(1),
    /** Bytes before and after. */
    from: z.number().int().positive(),
    to: z.number().int().positive().max(MAX_VARCHAR),
  })
  .strict();
export type WidenedColumn = z.infer<typeof widenedColumnSchema>;

/**
 * The target's columns as prepare checks them: with widenVarchar, a VARCHAR takes values up to
 * Redshift's limit (prepare measures the longest and the run widens the column to fit).
 */
export function widenableColumns(job: LoadJob, columns: readonly TargetColumn[]): TargetColumn[] {
  if (!(job.schemaEvolution ?? []).includes('widenVarchar')) return [...columns];
  return columns.map((c) =>
    c.type === 'character varying' && c.maxLength !== null && c.maxLength < MAX_VARCHAR
      ? { ...c, widenUpTo: MAX_VARCHAR }
      : c,
  );
}

/**
 * The longest accepted value of each widenable column that does not fit its declared length, in
 * bytes (a part's summary carries them to writeCopyManifest).
 */
export class LongestValues {
  private readonly bytes = new Map<string, number>();

  note(column: TargetColumn, value: string | null): void {
    if (column.widenUpTo === undefined || value === null || column.maxLength === null) return;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a short value fits without being measured.
    if (value.length * 3 <= column.maxLength) return;
    const n = Buffer.byteLength(value, 'utf8');
    if (n > column.maxLength && n > (this.bytes.get(column.name) ?? 0)) this.bytes.set(column.name, n);
  }

  toJSON(): Record<string, number> | undefined {
    return this.bytes.size === 0 ? undefined : Object.fromEntries(this.bytes);
  }
}

/**
 * The columns to widen, from the parts' longest values: each to the next power of two that holds
 * its longest value (the VARCHAR rule of `validate --infer`, varcharLength), so that a file a
 * little longer next time needs no new ALTER; never narrower than today, at most 65535 bytes.
 */
export function planWidening(
  columns: readonly TargetColumn[],
  longest: readonly (Record<string, number> | undefined)[],
): WidenedColumn[] {
  const max = new Map<string, number>();
  for (const part of longest)
    for (const [name, n] of Object.entries(part ?? {})) max.set(name, Math.max(max.get(name) ?? 0, n));
  const widened: WidenedColumn[] = [];
  for (const c of columns) {
    const n = max.get(c.name);
    if (n === undefined || c.maxLength === null || n <= c.maxLength) continue;
    widened.push({ column: c.name, from: c.maxLength, to: Math.max(varcharLength(n), n) });
  }
  return widened;
}

/**
 * Starts the ALTER of the first column of `queue`, on its own (Redshift refuses ALTER COLUMN
 * inside a transaction block, so it cannot join the load's batch); returns its statement state and
 * the columns left. A load that fails afterwards leaves the column wider: widening changes no
 * value, so nothing is lost, and the next run finds the column wide enough.
 */
export async function startWidenColumn(
  client: RedshiftDataClient,
  job: LoadJob,
  i: { runId: string; table: QualifiedName; queue: readonly WidenedColumn[]; executionName?: string },
  now: number,
): Promise<{ statement: StatementState; rest: WidenedColumn[] }> {
  const [first, ...rest] = i.queue;
  if (first === undefined) throw new Error('startWidenColumn needs a column to widen');
  const step = `widen ${first.column}`;
  const id = await executeStatement(client, {
    target: job.target,
    sql: alterVarcharSql(i.table, first.column, first.to),
    name: statementName(job.name, i.runId, 'widen'),
    clientToken: clientToken(i.runId, `widen:${i.executionName ?? ''}:${first.column}:${first.to}`),
  });
  return { statement: startedStatement(id, now, job.timeouts.statement, step), rest };
}
