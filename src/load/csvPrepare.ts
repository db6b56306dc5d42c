import { formatCsvRecord } from '../csv/csvRecords.ts';
import { type CsvDialect, type CsvField, CsvScanner, DOUBLED, IRREGULAR, QUOTED } from '../csv/csvScanner.ts';
import { fieldText } from '../csv/fieldText.ts';
import { SchemaMismatchError } from '../errors.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { checkValue, isCharacterType } from './checkValue.ts';
import type { ChunkDealer } from './chunkDealer.ts';
import { compileFastCheck, type FastCheck } from './fieldChecks.ts';
import { headerOrder } from './headerNames.ts';
import type { LoadContext } from './loadRun.ts';
import type { Rejects } from './rejects.ts';
import { columnsByName, type TargetColumn } from './targetColumns.ts';
import { LF } from './utf8Lines.ts';

/** CSV records: checked field by field on their bytes, copied (or rewritten) into the chunks. */
export class CsvPrepare {
  private readonly scanner: CsvScanner;
  private readonly dialect: CsvDialect;
  private readonly fileColumns: string[];
  private readonly columns: TargetColumn[];
  private readonly fast: FastCheck[];
  private readonly char: boolean[];
  private readonly nullAs: Buffer;
  private readonly options: LoadJob['copyOptions'];
  private order: number[] | undefined;
  private identity = true;
  private headerPending: boolean;
  private skipLeft: number;
  private readonly delimiter: number;
  private readonly tableColumns: readonly TargetColumn[];

  constructor(
    private readonly job: LoadJob,
    context: LoadContext,
    private readonly label: string,
    private readonly rejects: Rejects,
    private readonly dealer: ChunkDealer,
  ) {
    this.dialect = { delimiter: job.format.delimiter ?? ',', quote: job.format.quote ?? '"' };
    this.delimiter = this.dialect.delimiter.charCodeAt(0);
    this.scanner = new CsvScanner(this.dialect.delimiter, this.dialect.quote);
    this.fileColumns = context.fileColumns ?? context.tableColumns.map((c) => c.name);
    const byName = columnsByName(context.tableColumns);
    this.columns = this.fileColumns.map((name) => {
      const column = byName.get(name.toLowerCase());
      if (column === undefined) {
        throw new SchemaMismatchError(`Column "${name}" is not a column of the target table.`);
      }
      return column;
    });
    this.options = job.copyOptions;
    this.fast = this.columns.map((c) => compileFastCheck(c, job.copyOptions));
    this.char = this.columns.map((c) => isCharacterType(c.type));
    this.nullAs = Buffer.from(job.copyOptions.nullAs ?? '\\N', 'utf8');
    this.headerPending = job.format.header;
    this.skipLeft = job.format.skipLines ?? 0;
    this.tableColumns = context.tableColumns;
  }

  take(block: Buffer, final: boolean): number {
    const scanner = this.scanner;
    const r = scanner.record;
    const columns = this.columns;
    const n = columns.length;
    let pos = 0;
    while (this.skipLeft > 0 && pos < block.length) {
      const next = scanner.skipLine(block, pos, block.length, final);
      if (next === -1) return pos;
      pos = next;
      this.skipLeft--;
    }
    while (pos < block.length && scanner.next(block, pos, block.length, final)) {
      pos = r.next;
      if (this.headerPending) {
        this.headerPending = false;
        // With "columns" the job names the fields in order: the header is skipped, fields map by
        // position (COPY's IGNOREHEADER 1 with a column list).
        if (this.job.columns !== undefined) continue;
        const header: CsvField[] = [];
        for (let i = 0; i < r.fieldCount; i++) {
          header.push({
            value: fieldText(
              block,
              r.starts[i] as number,
              r.ends[i] as number,
              r.flags[i] as number,
              this.dialect.quote,
            ),
            quoted: ((r.flags[i] as number) & QUOTED) !== 0,
          });
        }
        this.order = headerOrder(
          header,
          this.fileColumns,
          this.label,
          this.tableColumns,
          this.job.columnMap,
          r.line,
        );
        this.identity = this.order.every((v, i) => v === i);
        continue;
      }
      if (r.fieldCount === 1 && r.ends[0] === r.starts[0] && this.job.copyOptions.ignoreBlankLines) continue;
      if (r.fieldCount !== n) {
        this.rejects.add(
          r.line,
          undefined,
          `${r.fieldCount} field(s), expected ${n} (${this.fileColumns.join(', ')})`,
        );
        continue;
      }
      const order = this.order;
      let bad = false;
      for (let i = 0; i < n; i++) {
        const f = order === undefined ? i : (order[i] as number);
        const problem = this.check(
          i,
          block,
          r.starts[f] as number,
          r.ends[f] as number,
          r.flags[f] as number,
        );
        if (problem !== null) {
          this.rejects.add(r.line, (columns[i] as TargetColumn).name, problem);
          bad = true;
          break;
        }
      }
      if (bad) continue;
      const w = this.dealer.writer();
      let bytes: number;
      if (r.irregular) {
        const fields: CsvField[] = [];
        for (let i = 0; i < n; i++) {
          const f = order === undefined ? i : (order[i] as number);
          fields.push(this.field(block, f));
        }
        const text = formatCsvRecord(fields, this.dialect);
        w.appendText(text);
        bytes = text.length;
      } else if (this.identity) {
        w.append(block, r.start, r.end);
        w.appendByte(LF);
        bytes = r.end - r.start + 1;
      } else {
        bytes = 0;
        for (let i = 0; i < n; i++) {
          const f = order === undefined ? i : (order[i] as number);
          if (i > 0) w.appendByte(this.delimiter);
          const s = r.starts[f] as number;
          const e = r.ends[f] as number;
          w.append(block, s, e);
          bytes += e - s + 1;
        }
        w.appendByte(LF);
      }
      this.dealer.added(r.line, 1 + r.innerLines, bytes);
    }
    return pos;
  }

  private field(block: Buffer, f: number): CsvField {
    const r = this.scanner.record;
    const flags = r.flags[f] as number;
    return {
      value: fieldText(block, r.starts[f] as number, r.ends[f] as number, flags, this.dialect.quote),
      quoted: (flags & QUOTED) !== 0,
    };
  }

  /** csvValue + checkValue, on the field's bytes; decodes text only for a doubtful value. */
  private check(i: number, buf: Buffer, start: number, end: number, flags: number): string | null {
    const column = this.columns[i] as TargetColumn;
    if ((flags & (DOUBLED | IRREGULAR)) === 0) {
      let s = start;
      let e = end;
      if ((flags & QUOTED) !== 0) {
        s++;
        e--;
      } else if (
        e - s === this.nullAs.length &&
        buf.compare(this.nullAs, 0, this.nullAs.length, s, e) === 0
      ) {
        return checkValue(column, null, this.options);
      }
      if (e === s) {
        if (!this.char[i] || this.options.emptyAsNull) return checkValue(column, null, this.options);
        return null;
      }
      const blankCandidate = this.char[i] && this.options.blanksAsNull && (buf[s] as number) <= 0x20;
      if (!blankCandidate && (this.fast[i] as FastCheck)(buf, s, e)) return null;
    }
    const value = csvValue(
      { value: fieldText(buf, start, end, flags, this.dialect.quote), quoted: (flags & QUOTED) !== 0 },
      column,
      this.options,
    );
    const problem = checkValue(column, value, this.options);
    if (problem === null) this.rejects.longest.note(column, value);
    return problem;
  }
}

/** The value COPY will see for a CSV field, or null (NULL AS, empty non-character, EMPTYASNULL...). */
function csvValue(field: CsvField, column: TargetColumn, options: LoadJob['copyOptions']): string | null {
  const nullAs = options.nullAs ?? '\\N';
  if (!field.quoted && field.value === nullAs) return null;
  const char = isCharacterType(column.type);
  if (field.value === '') {
    if (!char) return null;
    return options.emptyAsNull ? null : '';
  }
  if (char && options.blanksAsNull && field.value.trim() === '') return null;
  return char && options.trimBlanks ? field.value.replace(/ +$/, '') : field.value;
}
