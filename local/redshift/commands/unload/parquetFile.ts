import type { SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { OutputFile } from '../OutputFile.ts';
import type { ResultColumn } from './columns.ts';
import type { Row } from './copyTextRows.ts';

type Converter = (v: string) => unknown;

const MAX_GROUP_ROWS = 65536;

interface ParquetColumn {
  element: SchemaElement;
  convert: Converter;
}

function decimalLength(precision: number): number {
  let bytes = 1;
  while (2 ** (8 * bytes - 1) <= 10 ** precision) bytes++;
  return bytes;
}

function unscaled(v: string, scale: number): bigint {
  const neg = v.startsWith('-');
  const [int = '0', frac = ''] = (neg ? v.slice(1) : v).split('.');
  const digits = BigInt(int + frac.padEnd(scale, '0').slice(0, scale));
  return neg ? -digits : digits;
}

/** Epoch microseconds of `YYYY-MM-DD HH:MI:SS[.ffffff][+zz[:mm]]` (zone applied, then dropped). */
export function timestampMicros(v: string): bigint {
  const m =
    /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-]\d\d(?::?\d\d)?(?::?\d\d)?)?( BC)?$/.exec(
      v,
    );
  if (!m) throw new Error(`cannot convert timestamp '${v}' to Parquet`);
  let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (m[8]) {
    const z = /^([+-])(\d\d):?(\d\d)?/.exec(m[8]);
    if (z) ms -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60000;
  }
  return BigInt(ms) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0'));
}

function parquetColumn(c: ResultColumn): ParquetColumn {
  const base = { name: c.name, repetition_type: 'OPTIONAL' as const };
  switch (c.typeOid) {
    case 16:
      return { element: { ...base, type: 'BOOLEAN' }, convert: (v) => v === 't' };
    case 21:
      return { element: { ...base, type: 'INT32', converted_type: 'INT_16' }, convert: Number };
    case 23:
      return { element: { ...base, type: 'INT32' }, convert: Number };
    case 20:
      return { element: { ...base, type: 'INT64' }, convert: (v) => BigInt(v) };
    case 700:
      return { element: { ...base, type: 'FLOAT' }, convert: Number };
    case 701:
      return { element: { ...base, type: 'DOUBLE' }, convert: Number };
    case 1700: {
      if (c.typmod < 4) break;
      const precision = ((c.typmod - 4) >> 16) & 0xffff;
      const scale = (c.typmod - 4) & 0xffff;
      return {
        element: {
          ...base,
          type: 'FIXED_LEN_BYTE_ARRAY',
          type_length: decimalLength(precision),
          converted_type: 'DECIMAL',
          precision,
          scale,
        },
        convert: (v) => unscaled(v, scale),
      };
    }
    case 1082:
      return {
        element: { ...base, type: 'INT32', converted_type: 'DATE' },
        convert: (v) => Math.floor(Date.parse(`${v}T00:00:00Z`) / 86400000),
      };
    case 1114:
    case 1184:
      return {
        element: { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MICROS' },
        convert: timestampMicros,
      };
  }
  return { element: { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' }, convert: (v) => v };
}

/**
 * A Parquet file written incrementally: rows are buffered per row group, each finished row group
 * is encoded (Snappy, as Redshift does) and its bytes handed to the OutputFile, so memory is
 * bounded by one row group.
 */
export class ParquetFileWriter {
  private readonly columns: ParquetColumn[];
  private readonly writer: ParquetWriter;
  private readonly bytes: ByteWriter;
  private buffer: unknown[][];
  private bufferedRows = 0;
  private bufferedBytes = 0;
  private pending: Buffer[] = [];

  constructor(
    resultColumns: ResultColumn[],
    private readonly out: OutputFile,
    private readonly rowGroupBytes: number,
  ) {
    this.columns = resultColumns.map(parquetColumn);
    this.bytes = new ByteWriter();
    (this.bytes as unknown as { flush: () => void }).flush = () => {
      this.drainBytes();
    };
    this.writer = new ParquetWriter({
      writer: this.bytes,
      schema: [{ name: 'schema', num_children: this.columns.length }, ...this.columns.map((c) => c.element)],
      createdBy: 'Amazon Redshift (local emulator)',
    });
    this.buffer = this.columns.map(() => []);
  }

  private drainBytes(): void {
    const b = this.bytes as unknown as { buffer: ArrayBuffer; index: number };
    if (b.index > 0) this.pending.push(Buffer.from(new Uint8Array(b.buffer, 0, b.index).slice()));
    b.index = 0;
  }

  async writeRow(row: Row): Promise<void> {
    for (let i = 0; i < this.columns.length; i++) {
      const v = row[i];
      (this.buffer[i] as unknown[]).push(
        v === null || v === undefined ? null : (this.columns[i] as ParquetColumn).convert(v),
      );
      this.bufferedBytes += v === null || v === undefined ? 1 : v.length;
    }
    this.bufferedRows++;
    this.out.records++;
    // Also cap rows: decoded JS values cost several times their text size.
    if (this.bufferedBytes >= this.rowGroupBytes || this.bufferedRows >= MAX_GROUP_ROWS)
      await this.flushGroup();
  }

  /** Bytes encoded so far plus the estimate of the open row group (for MAXFILESIZE). */
  get approximateSize(): number {
    return this.out.size + this.bufferedBytes / 2;
  }

  private async flushGroup(): Promise<void> {
    if (this.bufferedRows === 0) return;
    await this.writer.write({
      columnData: this.columns.map((c, i) => ({
        name: c.element.name,
        data: this.buffer[i] as unknown[] as never,
      })),
      rowGroupSize: this.bufferedRows,
    });
    this.buffer = this.columns.map(() => []);
    this.bufferedRows = 0;
    this.bufferedBytes = 0;
    await this.writePending();
  }

  private async writePending(): Promise<void> {
    const chunks = this.pending;
    this.pending = [];
    for (const c of chunks) await this.out.write(c);
  }

  async close(): Promise<void> {
    await this.flushGroup();
    this.bytes.finish = () => {
      this.drainBytes();
    };
    await this.writer.finish();
    await this.writePending();
  }
}
