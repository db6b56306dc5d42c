import { Transform, type TransformCallback } from 'node:stream';
import { CsvRecordReader } from '../csv/csvRecords.ts';
import { type ScannedRecord, UnterminatedQuoteError } from '../csv/csvScanner.ts';
import { scannedFields } from '../csv/fieldText.ts';
import { PartProcessingError } from '../errors.ts';
import { createJsonlWriter, type JsonlWriter, UNLOAD_QUOTE } from './jsonlWriter.ts';
import type { PartProcessingOptions } from './processPartStream.ts';

/**
 * CSV in, JSON lines out; counts records and checks the header against the schema. Each input
 * chunk becomes one output Buffer written from the bytes (jsonlWriter.ts), so that memory stays
 * flat however large the part.
 */
export class CsvToJsonl extends Transform {
  records = 0;
  private readonly reader: CsvRecordReader;
  private writer: JsonlWriter | undefined;
  private readonly onRecord = (data: Buffer, record: ScannedRecord) => {
    this.records++;
    if (this.records === 1 && this.options.header === true) {
      this.readHeader(scannedFields(data, record, UNLOAD_QUOTE).map((f) => f.value));
      return;
    }
    if (this.writer === undefined) {
      throw new PartProcessingError(
        `${this.options.label}: csv-to-jsonl needs column names: the manifest has no schema (use MANIFEST VERBOSE) and the part has no header.`,
      );
    }
    this.writer.write(data, record, this.records);
  };

  constructor(
    private readonly options: Pick<
      PartProcessingOptions,
      'delimiter' | 'schema' | 'nullAs' | 'label' | 'header'
    >,
  ) {
    super();
    this.reader = new CsvRecordReader({ delimiter: options.delimiter ?? ',', quote: UNLOAD_QUOTE });
    if (options.schema !== undefined && options.schema.length > 0) {
      this.writer = createJsonlWriter({
        columns: options.schema,
        nullAs: options.nullAs,
        label: options.label,
      });
    }
  }

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback) {
    try {
      this.reader.pushRanges(chunk, this.onRecord);
      done(null, this.writer?.take());
    } catch (error) {
      done(this.failure(error));
    }
  }

  override _flush(done: TransformCallback) {
    try {
      this.reader.endRanges(this.onRecord);
      done(null, this.writer?.take());
    } catch (error) {
      done(this.failure(error));
    }
  }

  private failure(error: unknown): Error {
    if (!(error instanceof UnterminatedQuoteError)) return error as Error;
    return new PartProcessingError(
      `${this.options.label}: line ${error.line}: a quoted field is never closed (the part ends inside it). The part is truncated or not UNLOAD's CSV; export it again.`,
    );
  }

  private readHeader(names: string[]) {
    const schema = this.options.schema;
    if (schema !== undefined && schema.length > 0) {
      const expected = schema.map((c) => c.name.toLowerCase());
      if (names.length !== expected.length || names.some((n, i) => n.toLowerCase() !== expected[i])) {
        throw new PartProcessingError(
          `${this.options.label}: header (${names.join(', ')}) does not match the manifest schema (${expected.join(', ')}).`,
        );
      }
      return;
    }
    this.writer = createJsonlWriter({
      columns: names.map((name) => ({ name, type: 'character varying' })),
      nullAs: this.options.nullAs,
      label: this.options.label,
    });
  }
}
