import type { CopyStatement } from '../parser/ast.ts';
import type { ColumnCheck } from './csvLoadEncoder.ts';
import { columnCheck, passesThrough, pgCopyField } from './csvLoadEncoder.ts';
import type { ParquetBatch } from './parquetRecords.ts';
import type { TargetColumn } from './targetColumns.ts';

/** A row the fast path cannot write as it is: it goes through rejectRecord + the converter. */
export interface ParquetSlowRow {
  line: number;
  fields: (string | null)[];
}

/** What the encoder hands on, in row order: COPY text, or rows needing the converter. */
export interface ParquetCopySink {
  text(chunk: string, rows: number): void | Promise<void>;
  slow(rows: ParquetSlowRow[]): void | Promise<void>;
}

const OUT_FLUSH_CHARS = 512 * 1024;

/**
 * Parquet rows -> PostgreSQL COPY text: a row whose every value the converter would pass through
 * unchanged is written as it is; any other row is handed on as fields (order kept).
 */
export class ParquetCopyText {
  private readonly checks: ColumnCheck[];
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private out = '';
  private rows = 0;

  constructor(
    private readonly cols: TargetColumn[],
    private readonly st: CopyStatement,
    private readonly sink: ParquetCopySink,
  ) {
    this.checks = cols.map((c) => columnCheck(c, st));
  }

  async batch(batch: ParquetBatch): Promise<void> {
    const cols = this.cols;
    const last = cols.length - 1;
    for (let r = 0; r < batch.rowCount; r++) {
      let line = '';
      let ok = true;
      for (let i = 0; i <= last; i++) {
        const v = batch.text(r, i);
        if (v === null) {
          if ((cols[i] as TargetColumn).notNull) {
            ok = false;
            break;
          }
          line += '\\N';
        } else {
          if (v.length === 0) {
            ok = false;
            break;
          }
          if (v.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(v.length * 3);
          const n = this.scratch.write(v, 0);
          if (!passesThrough(this.checks[i] as ColumnCheck, this.scratch, 0, n, this.st)) {
            ok = false;
            break;
          }
          line += pgCopyField(v);
        }
        line += i === last ? '\n' : '\t';
      }
      if (ok) {
        this.out += line;
        this.rows++;
      } else {
        await this.flush();
        const fields = Array.from({ length: cols.length }, (_, i) => batch.text(r, i));
        await this.sink.slow([{ line: batch.firstRow + r, fields }]);
      }
      if (this.out.length >= OUT_FLUSH_CHARS) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.out === '') return;
    const out = this.out;
    const rows = this.rows;
    this.out = '';
    this.rows = 0;
    await this.sink.text(out, rows);
  }
}
