/**
 * The worker side of UNLOAD PARQUET (see parquetUnloadWorker.ts): parses PostgreSQL's binary
 * COPY chunks and encodes the Parquet files, handing their bytes to the parent, which owns the
 * S3 uploads. At most WRITE_CREDITS writes are unacknowledged, so memory stays bounded.
 */
import { parentPort } from 'node:worker_threads';
import { CreditWindow } from '../workerThread.ts';
import { BinaryCopyParser } from './binaryCopyRows.ts';
import type { ParquetOut } from './parquetFile.ts';
import { ParquetFileWriter } from './parquetFile.ts';
import type { FromParquetWorker, ParquetUnloadPlan, ToParquetWorker } from './parquetUnloadMessages.ts';
import { WRITE_CREDITS } from './parquetUnloadMessages.ts';

const port = parentPort;
if (!port) throw new Error('parquetUnloadThread runs in a worker thread');

let credits = new CreditWindow(WRITE_CREDITS);
const send = async (message: FromParquetWorker, transfer: ArrayBuffer[] = []): Promise<void> => {
  await credits.take();
  port.postMessage(message, transfer);
};

/** One file of one slice: its bytes go to the parent as they are encoded. */
class FileOut implements ParquetOut {
  records = 0;
  constructor(
    readonly slice: number,
    readonly part: number,
  ) {}
  async write(chunk: Buffer): Promise<void> {
    // A copy the message owns: the encoder's buffers are reused or shared.
    const bytes = new Uint8Array(chunk).buffer;
    await send({ type: 'write', slice: this.slice, part: this.part, bytes }, [bytes]);
  }
}

interface Slice {
  part: number;
  out?: FileOut | undefined;
  writer?: ParquetFileWriter | undefined;
}

class UnloadJob {
  private readonly parser: BinaryCopyParser;
  private readonly slices: Slice[];
  private readonly full: { out: FileOut; writer: ParquetFileWriter }[] = [];
  rows = 0;

  constructor(private readonly plan: ParquetUnloadPlan) {
    this.parser = new BinaryCopyParser(plan.columns.length);
    this.slices = Array.from({ length: plan.slices }, () => ({ part: 0 }));
  }

  private start(s: Slice, slice: number): ParquetFileWriter {
    s.out = new FileOut(slice, s.part);
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
    await send({ type: 'close', slice: out.slice, part: out.part, records: out.records });
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

  async end(): Promise<void> {
    if (!this.parser.complete) throw new Error('COPY BINARY output ended inside a row');
    for (const s of this.slices) if (s.writer && s.out) await this.close(s.out, s.writer);
  }
}

let job: UnloadJob | undefined;
let queue = Promise.resolve();
let failed = false;

const fail = (error: unknown) => {
  failed = true;
  port.postMessage({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
  } satisfies FromParquetWorker);
};

/** Chunks are handled one after another, in order; after a failure the parent terminates us. */
const enqueue = (work: () => Promise<void>) => {
  queue = queue.then(() => (failed ? undefined : work().catch(fail)));
};

port.on('message', (message: ToParquetWorker) => {
  switch (message.type) {
    case 'start':
      failed = false;
      credits = new CreditWindow(WRITE_CREDITS);
      job = new UnloadJob(message.plan);
      break;
    case 'chunk': {
      const bytes = Buffer.from(message.bytes);
      enqueue(async () => {
        await job?.chunk(bytes);
        port.postMessage({ type: 'parsed' } satisfies FromParquetWorker);
      });
      break;
    }
    case 'end':
      enqueue(async () => {
        const current = job;
        job = undefined;
        await current?.end();
        port.postMessage({ type: 'done', rows: current?.rows ?? 0 } satisfies FromParquetWorker);
      });
      break;
    case 'credit':
      credits.give();
      break;
  }
});
