import { UnterminatedQuoteError } from '../csv/csvScanner.ts';
import { BadRecordError } from '../errors.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { ChunkDealer, type ChunkOutput } from './chunkDealer.ts';
import { CsvPrepare } from './csvPrepare.ts';
import { JsonPrepare } from './jsonPrepare.ts';
import type { LineMap } from './lineMap.ts';
import type { LoadContext, PartSummary } from './loadRun.ts';
import { Rejects } from './rejects.ts';
import { Utf8Lines } from './utf8Lines.ts';

export interface PrepareStreamInput {
  /** The decompressed bytes of one source object (CSV or JSON lines). */
  source: AsyncIterable<Uint8Array>;
  job: LoadJob;
  context: LoadContext;
  /** The source as errors name it (`s3://bucket/key`). */
  label: string;
  /** The part's chunks: records are dealt to them in runs of about `dealBytes`. */
  outputs: readonly ChunkOutput[];
  dealBytes: number;
  /** The JSONPaths file's paths, read by the caller (JSON with format.jsonPaths only). */
  jsonPaths?: string[] | undefined;
}

export interface PreparedRecords {
  records: number;
  rejected: number;
  rejectedSamples: PartSummary['rejectedSamples'];
  /** From chunk lines back to source lines (what explains a COPY error). */
  lineMap: LineMap;
  /** widenVarchar: the longest value (bytes) of each column whose values exceed its length. */
  longest?: Record<string, number> | undefined;
}

/** Parses records from a block (complete input when `final`); returns the bytes consumed. */
interface PrepareSink {
  take(block: Buffer, final: boolean): number;
}

/**
 * The record pass of a CSV or JSON part, over bytes in and chunk outputs: checks the UTF-8 and
 * every record against the target's columns (header names, column count, values), and deals the
 * good records to the outputs. A bad record is a BadRecordError naming the file, line and column;
 * with `maxErrors` it is counted and sampled instead. No S3 here: preparePart supplies the bytes
 * and the chunk writers.
 */
export async function prepareStream(input: PrepareStreamInput): Promise<PreparedRecords> {
  const { source, job, context, label, outputs, dealBytes, jsonPaths } = input;
  const rejects = new Rejects(job.maxErrors, label);
  const dealer = new ChunkDealer(outputs, dealBytes);
  try {
    const lines = new Utf8Lines(label, job.copyOptions.acceptInvChars !== false);
    const sink: PrepareSink =
      job.format.type === 'csv'
        ? new CsvPrepare(job, context, label, rejects, dealer)
        : new JsonPrepare(job, context, label, rejects, dealer, jsonPaths);
    for await (const chunk of source) {
      const block = lines.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      if (block !== undefined) lines.consumed(sink.take(block, false));
      await dealer.ready();
    }
    const rest = lines.end();
    if (rest !== undefined) sink.take(rest, true);
  } catch (error) {
    if (error instanceof UnterminatedQuoteError) {
      throw new BadRecordError(
        `Bad record in ${label} line ${error.line}: a quoted field is never closed (the file ends inside it). Fix the file and load it again; nothing was loaded.`,
        { context: { file: label, line: error.line } },
      );
    }
    throw error;
  }
  return {
    records: dealer.records,
    rejected: rejects.count,
    rejectedSamples: rejects.samples,
    lineMap: dealer.lineMap.toJSON(),
    longest: rejects.longest.toJSON(),
  };
}
