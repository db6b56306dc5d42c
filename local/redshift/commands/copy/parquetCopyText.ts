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

/** What the encoder hands on, in row order: COPY text (bytes, now owned by the sink), or rows needing the converter. */
export interface ParquetCopySink {
  text(bytes: Uint8Array<ArrayBuffer>, rows: number): void | Promise<void>;
  slow(rows: ParquetSlowRow[]): void | Promise<void>;
}

const OUT_FLUSH_BYTES = 512 * 1024;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;

/**
 * Parquet rows -> PostgreSQL COPY text, written as bytes straight into the chunk handed on (the
 * check reads the value where it is written): a row whose every value the converter would pass
 * through unchanged is written as it is; any other row is handed on as fields (order kept).
 */
export class ParquetCopyText {
  private readonly checks: ColumnCheck[];
  private out = Buffer.allocUnsafeSlow(OUT_FLUSH_BYTES + 64 * 1024);
  private pos = 0;
  private rows = 0;

  constructor(
    private readonly cols: TargetColumn[],
    private readonly st: CopyStatement,
    private readonly sink: ParquetCopySink,
  ) {
    this.checks = cols.map((c) => columnCheck(c, st));
  }

  /** Room for `bytes` more: a larger buffer keeping what is written (only for very long values). */
  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.out.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.out.length * 2, this.pos + bytes));
    this.out.copy(bigger, 0, 0, this.pos);
    this.out = bigger;
  }

  async batch(batch: ParquetBatch): Promise<void> {
    const cols = this.cols;
    const last = cols.length - 1;
    for (let r = 0; r < batch.rowCount; r++) {
      const rowStart = this.pos;
      let ok = true;
      for (let i = 0; i <= last; i++) {
        const v = batch.text(r, i);
        if (v === null) {
          if ((cols[i] as TargetColumn).notNull) {
            ok = false;
            break;
          }
          this.reserve(3);
          this.out[this.pos++] = BACKSLASH;
          this.out[this.pos++] = 0x4e; // N
        } else {
          if (v.length === 0) {
            ok = false;
            break;
          }
          this.reserve(v.length * 3 + 1);
          const at = this.pos;
          const n = this.out.write(v, at);
          if (!passesThrough(this.checks[i] as ColumnCheck, this.out, at, at + n, this.st)) {
            ok = false;
            break;
          }
          let plain = true;
          for (let k = at; k < at + n; k++) {
            const b = this.out[k] as number;
            if (b === BACKSLASH || b === TAB || b === LF || b === CR) {
              plain = false;
              break;
            }
          }
          if (plain) this.pos = at + n;
          else {
            const escaped = pgCopyField(v);
            this.reserve(escaped.length * 3 + 1);
            this.pos = at + this.out.write(escaped, at);
          }
        }
        this.out[this.pos++] = i === last ? LF : TAB;
      }
      if (ok) this.rows++;
      else {
        this.pos = rowStart;
        await this.flush();
        const fields = Array.from({ length: cols.length }, (_, i) => batch.text(r, i));
        await this.sink.slow([{ line: batch.firstRow + r, fields }]);
      }
      if (this.pos >= OUT_FLUSH_BYTES) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const bytes = new Uint8Array(this.out.buffer, this.out.byteOffset, this.pos);
    const rows = this.rows;
    // The chunk goes to the sink (transferred to another thread): write on into a new one.
    this.out = Buffer.allocUnsafeSlow(this.out.length);
    this.pos = 0;
    this.rows = 0;
    await this.sink.text(bytes as Uint8Array<ArrayBuffer>, rows);
  }
}
