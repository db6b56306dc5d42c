import { BinaryCopyParser } from './binaryCopyRows.ts';
import type { ParquetOut } from './parquetFile.ts';
import { ParquetFileWriter } from './parquetFile.ts';
import type { SendOutput, UnloadJob } from './unloadJob.ts';
import type { ParquetUnloadPlan } from './unloadWorkerMessages.ts';

/** One file of one slice: its bytes go to the sink (S3 upload) as they are encoded. */
class FileOut implements ParquetOut {
  records = 0;
  constructor(
    private readonly send: SendOutput,
    readonly slice: number,
    readonly part: number,
  ) {}
  async write(chunk: Buffer): Promise<void> {
    // A copy the message owns: the encoder's buffers are reused or shared.
    const bytes = new Uint8Array(chunk).buffer;
    await this.send({ type: 'write', slice: this.slice, part: this.part, bytes }, [bytes]);
  }
}

interface Slice {
  part: number;
  out?: FileOut | undefined;
  writer?: ParquetFileWriter | undefined;
}

/**
 * UNLOAD PARQUET (run by runUnloadJob on the statement's thread): PostgreSQL's binary COPY is the Parquet physical values already
 * (big-endian), parsed without a JS value per field, rows round-robin over the slices' files,
 * each file closed before MAXFILESIZE.
 */
export class ParquetUnloadJob implements UnloadJob {
  private readonly parser: BinaryCopyParser;
  private readonly slices: Slice[];
  /** Files that reached MAXFILESIZE inside a chunk; closed (async) once the chunk is parsed. */
  private readonly full: { out: FileOut; writer: ParquetFileWriter }[] = [];
  private rows = 0;

  constructor(
    private readonly plan: ParquetUnloadPlan,
    private readonly send: SendOutput,
  ) {
    this.parser = new BinaryCopyParser(plan.columns.length);
    this.slices = Array.from({ length: plan.slices }, () => ({ part: 0 }));
  }

  private start(s: Slice, slice: number): ParquetFileWriter {
    s.out = new FileOut(this.send, slice, s.part);
    s.writer = new ParquetFileWriter(this.plan.columns, s.out, this.plan.rowGroupBytes);
    return s.writer;
  }

  private readonly onRow = (b: Buffer, starts: Int32Array, lengths: Int32Array) => {
    const slice = this.rows % this.plan.slices;
    const s = this.slices[slice] as Slice;
    this.rows++;
    const writer = s.writer ?? this.start(s, slice);
    if (writer.tryAddBinaryRow(b, starts, lengths, this.plan.maxFileSize)) return;
    this.full.push({ out: s.out as FileOut, writer });
    s.part++;
    this.start(s, slice).tryAddBinaryRow(b, starts, lengths, this.plan.maxFileSize); // an empty file takes any row
  };

  private async close(out: FileOut, writer: ParquetFileWriter): Promise<void> {
    await writer.close();
    await this.send({ type: 'close', slice: out.slice, part: out.part, records: out.records });
  }

  async chunk(bytes: Buffer): Promise<void> {
    this.parser.push(bytes, this.onRow);
    for (const f of this.full.splice(0)) await this.close(f.out, f.writer);
    for (const s of this.slices) {
      if (!s.writer) continue;
      if (s.writer.groupFull) await s.writer.flushGroup();
      else await s.writer.drain();
    }
  }

  async end(): Promise<number> {
    if (!this.parser.complete) throw new Error('COPY BINARY output ended inside a row');
    for (const s of this.slices) if (s.writer && s.out) await this.close(s.out, s.writer);
    return this.rows;
  }
}
