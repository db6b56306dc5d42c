/**
 * The worker side of UNLOAD (see unloadWorker.ts): runs one statement's job over the COPY chunks
 * the parent sends, handing output to the parent, which owns compression and the S3 uploads. At
 * most WRITE_CREDITS outputs are unacknowledged, so memory stays bounded.
 */
import { parentPort } from 'node:worker_threads';
import { CreditWindow } from '../workerThread.ts';
import { CsvUnloadJob } from './csvUnloadJob.ts';
import type { SendOutput, UnloadJob } from './unloadJob.ts';
import type { FromUnloadWorker, ToUnloadWorker } from './unloadWorkerMessages.ts';
import { WRITE_CREDITS } from './unloadWorkerMessages.ts';

const port = parentPort;
if (!port) throw new Error('unloadThread runs in a worker thread');

let credits = new CreditWindow(WRITE_CREDITS);
const send: SendOutput = async (output, transfer = []) => {
  await credits.take();
  port.postMessage(output, transfer);
};

let job: UnloadJob | undefined;
let queue = Promise.resolve();
let failed = false;

const fail = (error: unknown) => {
  failed = true;
  port.postMessage({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
  } satisfies FromUnloadWorker);
};

/** Chunks are handled one after another, in order; after a failure the parent terminates us. */
const enqueue = (work: () => Promise<void>) => {
  queue = queue.then(() => (failed ? undefined : work().catch(fail)));
};

port.on('message', (message: ToUnloadWorker) => {
  switch (message.type) {
    case 'start':
      failed = false;
      credits = new CreditWindow(WRITE_CREDITS);
      job = new CsvUnloadJob(message.plan, send);
      break;
    case 'chunk': {
      const bytes = Buffer.from(message.bytes);
      enqueue(async () => {
        await job?.chunk(bytes);
        port.postMessage({ type: 'parsed' } satisfies FromUnloadWorker);
      });
      break;
    }
    case 'end':
      enqueue(async () => {
        const current = job;
        job = undefined;
        const rows = (await current?.end()) ?? 0;
        port.postMessage({ type: 'done', rows } satisfies FromUnloadWorker);
      });
      break;
    case 'credit':
      credits.give();
      break;
  }
});
