import { isUtf8 } from 'node:buffer';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { putText } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import { BadRecordError, PartProcessingError, SchemaMismatchError, TransientError } from '../errors.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { objectVersion } from '../sql/ledger.ts';
import { checkValue, isCharacterType } from './checkValue.ts';
import { ChunkWriter } from './chunkWriter.ts';
import { type CsvDialect, type CsvField, formatCsvRecord, UnterminatedQuoteError } from './csvRecords.ts';
import { CsvScanner, DOUBLED, fieldText, IRREGULAR, QUOTED } from './csvScanner.ts';
import { compileFastCheck, type FastCheck } from './fieldChecks.ts';
import { headerColumns } from './headerNames.ts';
import { evalJsonPath, parseJsonPaths } from './jsonPaths.ts';
import { LineMapBuilder } from './lineMap.ts';
import {
  chunkKey,
  failureKey,
  type LoadContext,
  type LoadPart,
  lineMapKey,
  type PartSummary,
  partSummaryKey,
  stagingKeys,
} from './loadRun.ts';
import { parquetIncompatibility, parquetKind } from './parquetTypes.ts';
import { decompress, openObject, rangedObject, s3Url } from './sourceStream.ts';
import type { TargetColumn } from './targetColumns.ts';
import { LongestValues } from './widenVarchar.ts';

const MAX_SAMPLES = 20;

export interface PrepareInput {
  s3: S3Client;
  job: LoadJob;
  context: LoadContext;
  part: LoadPart;
  /**
   * Records go to one chunk until this many bytes were written to it, then to the next (round
   * robin). Default: an eighth of the part's expected share per chunk, 16 KiB to 1 MiB; 1 deals
   * record by record.
   */
  dealBytes?: number | undefined;
}

/**
 * Prepares one source object for COPY, streaming it once with bounded memory: decompress,
 * check every record against the target's columns (header names, column count, values), count
 * the records, and deal them in runs into `part.chunks` gzip chunks under the run's staging
 * prefix (deterministic keys, so a retry overwrites), with a line map from chunk lines back to
 * source lines. A bad record is a BadRecordError naming the file, line and column before
 * anything is loaded; with `maxErrors` it is skipped and reported instead. Parquet is checked
 * from its footer and copied as it is. The part's summary is written next to the chunks for
 * writeCopyManifest and returned.
 */
export async function preparePart(input: PrepareInput): Promise<PartSummary> {
  try {
    return await prepare(input);
  } catch (error) {
    // A Distributed Map fails with States.ExceedToleratedFailureThreshold, not with the part's
    // error: leave the named error where explainPrepareFailure finds it. A TransientError is
    // retried by the state machine and is not the run's failure (yet).
    if (!(error instanceof TransientError)) {
      const staging = stagingKeys(input.context);
      const e = error as Error;
      await putText(
        input.s3,
        staging.bucket,
        failureKey(staging, input.part.index),
        JSON.stringify({ index: input.part.index, name: e.name, message: e.message }),
        'application/json',
      ).catch(() => undefined);
    }
    throw error;
  }
}

async function prepare({ s3, job, context, part, dealBytes }: PrepareInput): Promise<PartSummary> {
  const label = s3Url(part);
  const staging = stagingKeys(context);
  const rejects = new Rejects(job.maxErrors, label);
  let files: PartSummary['files'];
  let records: number;

  if (job.format.type === 'parquet') {
    ({ files, records } = await prepareParquet(s3, context, part, label));
  } else {
    const bytes = decompress(await openObject(s3, part), part.compression, label);
    const writers = Array.from(
      { length: part.chunks },
      (_, c) => new ChunkWriter(s3, staging.bucket, chunkKey(staging, part.index, c, chunkExtension(job))),
    );
    const expected = part.size * (part.compression === 'none' ? 1 : 4);
    const dealer = new ChunkDealer(
      writers,
      dealBytes ?? Math.min(1 << 20, Math.max(16 << 10, Math.floor(expected / part.chunks / 8))),
    );
    try {
      const lines = new Utf8Lines(label, job.copyOptions.acceptInvChars !== false);
      const sink =
        job.format.type === 'csv'
          ? new CsvPrepare(job, context, label, rejects, dealer)
          : new JsonPrepare(
              job,
              context,
              label,
              rejects,
              dealer,
              job.format.jsonPaths === undefined ? undefined : await readJsonPaths(s3, job.format.jsonPaths),
            );
      for await (const chunk of bytes) {
        const block = lines.push(chunk as Buffer);
        if (block !== undefined) lines.consumed(sink.take(block, false));
        await dealer.ready();
      }
      const rest = lines.end();
      if (rest !== undefined) sink.take(rest, true);
      const sizes = await Promise.all(writers.map((w) => w.end()));
      files = writers.map((w, i) => ({
        url: `s3://${staging.bucket}/${w.key}`,
        bytes: sizes[i] ?? 0,
        records: w.records,
      }));
      records = dealer.records;
    } catch (error) {
      await Promise.all(writers.map((w) => w.abort()));
      bytes.destroy();
      if (error instanceof UnterminatedQuoteError) {
        throw new BadRecordError(
          `Bad record in ${label} line ${error.line}: a quoted field is never closed (the file ends inside it). Fix the file and load it again; nothing was loaded.`,
          { context: { file: label, line: error.line } },
        );
      }
      throw error;
    }
    await putText(
      s3,
      staging.bucket,
      lineMapKey(staging, part.index),
      JSON.stringify(dealer.lineMap.toJSON()),
      'application/json',
    );
  }

  const summary: PartSummary = {
    index: part.index,
    bucket: part.bucket,
    key: part.key,
    objectVersion: objectVersion({ etag: part.etag }),
    records,
    rejected: rejects.count,
    rejectedSamples: rejects.samples,
    files,
    ...(rejects.longest.toJSON() === undefined ? {} : { longest: rejects.longest.toJSON() }),
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: staging.bucket,
      Key: partSummaryKey(staging, part.index),
      Body: JSON.stringify(summary),
      ContentType: 'application/json',
    }),
  );
  return summary;
}

/** Prepared chunks are always gzip; the extension says what is inside. */
export function chunkExtension(job: LoadJob): string {
  return job.format.type === 'json' ? '.json.gz' : job.format.type === 'parquet' ? '.parquet' : '.csv.gz';
}

/** Counts rejected records; throws when the job tolerates no more of them. */
class Rejects {
  count = 0;
  samples: PartSummary['rejectedSamples'] = [];
  /** And the longest accepted values of the VARCHAR columns widenVarchar may widen. */
  readonly longest = new LongestValues();

  constructor(
    private readonly maxErrors: number,
    private readonly label: string,
  ) {}

  add(line: number, column: string | undefined, reason: string): void {
    this.count++;
    const where = `${this.label} line ${line}${column === undefined ? '' : `, column "${column}"`}`;
    if (this.maxErrors === 0) {
      throw new BadRecordError(
        `Bad record in ${where}: ${reason}. Nothing was loaded. Fix the file and load it again (or set maxErrors to skip bad rows).`,
        { context: { file: this.label, line, column, reason } },
      );
    }
    if (this.count > this.maxErrors) {
      throw new BadRecordError(
        `More than maxErrors (${this.maxErrors}) bad records in ${this.label}; the last in ${where}: ${reason}. Nothing was loaded.`,
        { context: { file: this.label, line, column, reason, rejected: this.count } },
      );
    }
    if (this.samples.length < MAX_SAMPLES) {
      this.samples.push({ line, ...(column === undefined ? {} : { column }), reason });
    }
  }
}

function columnsByName(columns: readonly TargetColumn[]): Map<string, TargetColumn> {
  return new Map(columns.map((c) => [c.name.toLowerCase(), c]));
}

/**
 * The file's header checked against the run's column order: every name must name a column of
 * the table (as headerColumns matches them: columnMap, case-insensitive, normalised) and the set
 * must be the run's (the first file's header). Returns, for each run column, the index of the
 * file field that holds it.
 */
export function headerOrder(
  header: readonly CsvField[],
  fileColumns: readonly string[],
  label: string,
  tableColumns: readonly TargetColumn[],
  columnMap?: Readonly<Record<string, string>>,
  line = 1,
): number[] {
  const where = `The header of ${label} (line ${line})`;
  const names = headerColumns(
    header.map((f) => f.value),
    tableColumns,
    columnMap,
    where,
    false,
  ).map((n) => n.toLowerCase());
  const wanted = fileColumns.map((c) => c.toLowerCase());
  const unknown = names.filter((n) => !wanted.includes(n));
  const missing = wanted.filter((n) => !names.includes(n));
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (unknown.length > 0 || missing.length > 0 || twice.length > 0) {
    const problems = [
      unknown.length > 0 ? `unexpected column(s) ${unknown.map((n) => `"${n}"`).join(', ')}` : '',
      missing.length > 0 ? `missing column(s) ${missing.map((n) => `"${n}"`).join(', ')}` : '',
      twice.length > 0 ? `column(s) named twice ${twice.map((n) => `"${n}"`).join(', ')}` : '',
    ].filter((p) => p !== '');
    throw new SchemaMismatchError(
      `${where} does not match the load's columns (${fileColumns.join(', ')}): ${problems.join('; ')}. Fix the file's header, or "columns" in the job.`,
      { context: { file: label, line, unknown, missing } },
    );
  }
  return wanted.map((n) => names.indexOf(n));
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

const LF = 0x0a;
const CR = 0x0d;

/**
 * Cuts the decompressed bytes into blocks that end after a line feed (an LF is never inside a
 * UTF-8 character, so every block is whole characters), checks each block's UTF-8 once, and
 * keeps what the last consumer left unread for the next block. Invalid UTF-8 is an error naming
 * the file, unless `lenient` (ACCEPTINVCHARS): then each invalid sequence becomes U+FFFD.
 */
class Utf8Lines {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes at the start of `pending` that were checked already. */
  private checked = 0;
  private total = 0;
  private bomChecked = false;
  /** Line feeds in the bytes checked so far (for the line of invalid UTF-8). */
  private lines = 0;

  constructor(
    private readonly label: string,
    private readonly lenient: boolean,
  ) {}

  /** Adds input; returns the bytes to parse now (up to the last LF), or undefined. */
  push(chunk: Buffer): Buffer | undefined {
    this.total += chunk.length;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.stripBom(false);
    const lf = this.pending.lastIndexOf(LF);
    if (lf < this.checked) return undefined;
    this.check(lf + 1);
    return this.pending.subarray(0, this.checked);
  }

  /** The parser read `n` bytes of the last block; the rest comes again with the next one. */
  consumed(n: number): void {
    this.pending = this.pending.subarray(n);
    this.checked -= n;
  }

  /** The end of the input: the remaining bytes, or undefined when there are none. */
  end(): Buffer | undefined {
    this.stripBom(true);
    this.check(this.pending.length);
    return this.pending.length === 0 ? undefined : this.pending;
  }

  private stripBom(final: boolean): void {
    if (this.bomChecked || (this.pending.length < 3 && !final)) return;
    this.bomChecked = true;
    // TextDecoder drops a leading byte order mark, and so did the text reader before.
    if (this.pending[0] === 0xef && this.pending[1] === 0xbb && this.pending[2] === 0xbf) {
      this.pending = this.pending.subarray(3);
    }
  }

  private check(upTo: number): void {
    if (upTo <= this.checked) return;
    const block = this.pending.subarray(this.checked, upTo);
    if (!isUtf8(block)) {
      if (!this.lenient) {
        const at = invalidUtf8At(block);
        const before = block.subarray(0, at);
        const lineStart = before.lastIndexOf(LF) + 1;
        const line = this.lines + countLf(before) + 1;
        const column = before.toString('utf8', lineStart).length + 1;
        throw new BadRecordError(
          `${this.label}: line ${line}, column ${column}: invalid UTF-8 (byte 0x${(block[at] ?? 0).toString(16).padStart(2, '0')}). Fix the file's encoding, or set copyOptions.acceptInvChars.`,
        );
      }
      const fixed = Buffer.from(new TextDecoder('utf-8').decode(block), 'utf8');
      this.pending = Buffer.concat([
        this.pending.subarray(0, this.checked),
        fixed,
        this.pending.subarray(upTo),
      ]);
      this.checked += fixed.length;
      return;
    }
    if (!this.lenient) this.lines += countLf(block);
    this.checked = upTo;
  }
}

function countLf(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) n++;
  return n;
}

/** The offset of the first byte of `bytes` that does not start or continue a valid UTF-8 sequence. */
function invalidUtf8At(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length || !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return bytes.length;
}

/**
 * Deals records to the part's chunks in runs of about `dealBytes` (whole records, round robin),
 * counting records per chunk and keeping the line map.
 */
class ChunkDealer {
  records = 0;
  readonly lineMap: LineMapBuilder;
  private current = 0;
  private written = 0;

  constructor(
    private readonly writers: readonly ChunkWriter[],
    private readonly dealBytes: number,
  ) {
    this.lineMap = new LineMapBuilder(writers.length);
  }

  /** The writer for the next record. */
  writer(): ChunkWriter {
    return this.writers[this.current] as ChunkWriter;
  }

  /** The record just appended to `writer()` came from `sourceLine`, spans `lines` lines, `bytes` long. */
  added(sourceLine: number, lines: number, bytes: number): void {
    const w = this.writers[this.current] as ChunkWriter;
    w.records++;
    this.records++;
    this.lineMap.add(this.current, sourceLine, lines);
    this.written += bytes;
    if (this.written >= this.dealBytes) {
      this.written = 0;
      this.current = (this.current + 1) % this.writers.length;
    }
  }

  /** Backpressure of every chunk's gzip stream. */
  async ready(): Promise<void> {
    for (const w of this.writers) await w.ready();
  }
}

interface PrepareSink {
  /** Parses records from `block` (complete input when `final`); returns the bytes consumed. */
  take(block: Buffer, final: boolean): number;
}

/** CSV records: checked field by field on their bytes, copied (or rewritten) into the chunks. */
class CsvPrepare implements PrepareSink {
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

/**
 * JSON lines: each object checked against the columns (by field name, case-insensitively with
 * `keys: ignorecase`, or by the JSONPaths file's paths in column order) with the job's
 * copyOptions, copied as it is.
 */
class JsonPrepare implements PrepareSink {
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

/** The JSONPaths file's paths (read once per part), or a SchemaMismatchError saying what is wrong. */
async function readJsonPaths(s3: S3Client, uri: string): Promise<string[]> {
  const { bucket, key } = parseS3Uri(uri);
  let text: string;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await out.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw new PartProcessingError(`Cannot read the JSONPaths file ${uri}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = parseJsonPaths(text);
  if ('error' in parsed) {
    throw new SchemaMismatchError(
      `The JSONPaths file ${uri} ${parsed.error}. Fix format.jsonPaths or the file.`,
    );
  }
  return parsed.paths;
}

async function prepareParquet(
  s3: S3Client,
  context: LoadContext,
  part: LoadPart,
  label: string,
): Promise<{ files: PartSummary['files']; records: number }> {
  const { parquetMetadataAsync, parquetSchema } = await import('hyparquet');
  const buffer = rangedObject(s3, part);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new PartProcessingError(`${label} is not a readable Parquet file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const elements = parquetSchema(metadata).children.map((c) => c.element);
  const names = elements.map((e) => e.name.toLowerCase());
  const wanted = (context.fileColumns ?? context.tableColumns.map((c) => c.name)).map((c) => c.toLowerCase());
  if (names.length !== wanted.length || names.some((n, i) => n !== wanted[i])) {
    throw new SchemaMismatchError(
      `${label} has columns (${names.join(', ')}) but the load expects (${wanted.join(', ')}) in that order (COPY maps Parquet columns by position). Fix "columns" in the job or the file.`,
      { context: { file: label, found: names, expected: wanted } },
    );
  }
  const byName = columnsByName(context.tableColumns);
  const problems = elements.flatMap((e) => {
    const column = byName.get(e.name.toLowerCase());
    const why = column === undefined ? null : parquetIncompatibility(parquetKind(e), column);
    return why === null ? [] : [`column "${e.name}" ${why}`];
  });
  if (problems.length > 0) {
    throw new SchemaMismatchError(
      `${label} cannot load into ${context.table.schema}.${context.table.name}: ${problems.join('; ')}. Change the column's type in the table or write the file with matching types.`,
      { context: { file: label, problems } },
    );
  }
  const staging = stagingKeys(context);
  const key = chunkKey(staging, part.index, 0, '.parquet');
  const source = `${part.bucket}/${part.key.split('/').map(encodeURIComponent).join('/')}`;
  await s3.send(
    new CopyObjectCommand({
      Bucket: staging.bucket,
      Key: key,
      CopySource:
        part.versionId !== undefined && part.versionId !== 'null'
          ? `${source}?versionId=${part.versionId}`
          : source,
      ...(part.versionId === undefined ? { CopySourceIfMatch: part.etag } : {}),
    }),
  );
  const records = Number(metadata.num_rows);
  return { files: [{ url: `s3://${staging.bucket}/${key}`, bytes: part.size, records }], records };
}
