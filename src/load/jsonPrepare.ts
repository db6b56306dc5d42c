import { SchemaMismatchError } from '../errors.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { checkValue } from './checkValue.ts';
import type { ChunkDealer } from './chunkDealer.ts';
import { evalJsonPath } from './jsonPaths.ts';
import type { LoadContext } from './loadRun.ts';
import type { Rejects } from './rejects.ts';
import { columnsByName, type TargetColumn } from './targetColumns.ts';
import { CR, LF } from './utf8Lines.ts';

/**
 * JSON lines: each object checked against the columns (by field name, case-insensitively with
 * `keys: ignorecase`, or by the JSONPaths file's paths in column order) with the job's
 * copyOptions, copied as it is.
 */
export class JsonPrepare {
  private line = 0;
  private readonly byName: Map<string, TargetColumn>;
  private readonly ignoreCase: boolean;
  private readonly pathColumns: TargetColumn[] | undefined;

  constructor(
    private readonly job: LoadJob,
    private readonly context: LoadContext,
    private readonly label: string,
    private readonly rejects: Rejects,
    private readonly dealer: ChunkDealer,
    private readonly paths: string[] | undefined,
  ) {
    this.ignoreCase = job.format.keys === 'ignorecase';
    this.byName = new Map(
      context.tableColumns.map((c) => [this.ignoreCase ? c.name.toLowerCase() : c.name, c]),
    );
    if (paths !== undefined) {
      const byLower = columnsByName(context.tableColumns);
      const names = context.fileColumns ?? context.tableColumns.map((c) => c.name);
      this.pathColumns = names.map((n) => byLower.get(n.toLowerCase()) as TargetColumn);
      if (paths.length !== names.length) {
        throw new SchemaMismatchError(
          `The JSONPaths file ${job.format.jsonPaths} has ${paths.length} path(s) but the load has ${names.length} column(s) (${names.join(', ')}): the paths map to the columns by position. Fix the file or "columns".`,
          { context: { jsonPaths: job.format.jsonPaths, paths: paths.length, columns: names } },
        );
      }
    }
  }

  take(block: Buffer, final: boolean): number {
    let pos = 0;
    while (pos < block.length) {
      let nl = block.indexOf(LF, pos);
      if (nl === -1) {
        if (!final) break;
        nl = block.length;
      }
      this.line++;
      const end = nl > pos && block[nl - 1] === CR ? nl - 1 : nl;
      this.record(block, pos, end);
      pos = Math.min(nl + 1, block.length);
    }
    return pos;
  }

  private record(block: Buffer, start: number, end: number): void {
    const { line, label, context, byName } = this;
    const source = block.toString('utf8', start, end);
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      this.rejects.add(line, undefined, `not valid JSON (${(error as Error).message})`);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.rejects.add(line, undefined, 'expected one JSON object per line');
      return;
    }
    const record = value as Record<string, unknown>;
    let columns: readonly TargetColumn[];
    let values: unknown[];
    if (this.paths !== undefined && this.pathColumns !== undefined) {
      columns = this.pathColumns;
      values = this.paths.map((p) => evalJsonPath(record, p));
    } else {
      const fields = new Map<string, unknown>();
      for (const [key, v] of Object.entries(record)) {
        const name = this.ignoreCase ? key.toLowerCase() : key;
        if (!byName.has(name)) {
          throw new SchemaMismatchError(
            `${label} line ${line}: field "${key}" is not a column of ${context.table.schema}.${context.table.name} (${this.ignoreCase ? "COPY JSON 'auto ignorecase' matches column names case-insensitively" : `COPY JSON 'auto' matches lowercase column names exactly; set format.keys to "ignorecase" for other spellings`}; columns: ${context.tableColumns.map((c) => c.name).join(', ')}). Rename the field or the column, or map fields with format.jsonPaths.`,
            { context: { file: label, line, column: key } },
          );
        }
        fields.set(name, v);
      }
      columns = context.tableColumns;
      values = columns.map((c) => fields.get(this.ignoreCase ? c.name.toLowerCase() : c.name));
    }
    for (const [i, column] of columns.entries()) {
      const v = values[i];
      let problem: string | null;
      if (v === undefined) {
        // COPY loads an absent field as NULL (the column's default applies only to columns left
        // out of the column list, and a JSON load has none).
        problem = column.nullable
          ? null
          : `missing NOT NULL column "${column.name}" (an absent field loads as NULL)`;
      } else if (v !== null && typeof v === 'object') {
        problem = column.type === 'super' ? null : `a nested JSON value cannot go into ${column.type}`;
      } else {
        problem = checkValue(column, v === null ? null : String(v), this.job.copyOptions);
        if (problem === null && v !== null) this.rejects.longest.note(column, String(v));
      }
      if (problem !== null) {
        this.rejects.add(line, column.name, problem);
        return;
      }
    }
    const w = this.dealer.writer();
    w.append(block, start, end);
    w.appendByte(LF);
    this.dealer.added(line, 1, end - start + 1);
  }
}
