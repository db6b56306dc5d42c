/**
 * The worker side of COPY PARQUET (see parquetCopyWorker.ts): decodes each file's row groups with
 * hyparquet and encodes COPY text, reading byte ranges through the parent, which owns the S3
 * client. At most CREDITS messages are unacknowledged, so memory stays bounded.
 */
import { parentPort } from 'node:worker_threads';
import type { CopyStatement } from '../parser/ast.ts';
import { CreditWindow } from '../workerThread.ts';
import type { ParquetSlowRow } from './parquetCopyText.ts';
import { ParquetCopyText } from './parquetCopyText.ts';
import { parquetBatches } from './parquetRecords.ts';
import type { FromWorker, ToWorker } from './parquetWorkerMessages.ts';
import { CREDITS } from './parquetWorkerMessages.ts';
import type { TargetColumn } from './targetColumns.ts';

const port = parentPort;
if (!port) throw new Error('parquetCopyThread runs in a worker thread');

const credits = new CreditWindow(CREDITS);
let nextRead = 0;
const reads = new Map<number, { resolve: (b: ArrayBuffer) => void; reject: (e: Error) => void }>();

const send = async (message: FromWorker, transfer: ArrayBuffer[] = []): Promise<void> => {
  await credits.take();
  port.postMessage(message, transfer);
};

const read = (start: number, end: number): Promise<ArrayBuffer> =>
  new Promise((resolve, reject) => {
    const id = nextRead++;
    reads.set(id, { resolve, reject });
    port.postMessage({ type: 'read', id, start, end } satisfies FromWorker);
  });

async function loadFile(url: string, size: number, cols: TargetColumn[], st: CopyStatement): Promise<void> {
  let slow: ParquetSlowRow[] = [];
  const sendSlow = async () => {
    if (slow.length === 0) return;
    const rows = slow;
    slow = [];
    await send({ type: 'slow', rows });
  };
  const text = new ParquetCopyText(cols, st, {
    text: async (bytes, rows) => {
      await sendSlow();
      await send({ type: 'text', bytes: bytes.buffer, length: bytes.byteLength, rows }, [bytes.buffer]);
    },
    slow: async (rows) => {
      slow.push(...rows);
      if (slow.length >= 1024) await sendSlow();
    },
  });
  const target = { cols, serializeToJson: st.serializeToJson };
  for await (const batch of parquetBatches(size, read, cols.length, url, target)) await text.batch(batch);
  await text.flush();
  await sendSlow();
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'file':
      loadFile(message.url, message.size, message.cols, message.st).then(
        () => port.postMessage({ type: 'done' } satisfies FromWorker),
        (error: unknown) =>
          port.postMessage({
            type: 'error',
            message: error instanceof Error ? error.message : String(error),
          } satisfies FromWorker),
      );
      break;
    case 'range': {
      const pending = reads.get(message.id);
      reads.delete(message.id);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.bytes as ArrayBuffer);
      break;
    }
    case 'credit':
      credits.give();
      break;
  }
});
