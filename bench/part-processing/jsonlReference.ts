import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { type PartProcessingOptions, processPartStream } from '../../src/parts/processPartStream.ts';
import type { PartInput } from './prepareInput.ts';

/**
 * The JSON lines our csv-to-jsonl cases produce from the part, uncompressed, written once beside
 * the part (later runs reuse it): the native reference compresses these very bytes, so that both
 * sides gzip the same ~2.4x larger output. Our converter's bytes are checked against an
 * independent one (Python's csv and json) in test/unit/bench/jsonlReference.test.ts.
 */
export async function prepareJsonl(
  input: PartInput,
  options: Omit<PartProcessingOptions, 'label'>,
): Promise<string> {
  const file = input.file.replace(/\.csv\.gz$/, '.jsonl');
  if (existsSync(file)) return file;
  const partial = `${file}.partial`;
  const stats = await processPartStream(createReadStream(input.file), createWriteStream(partial), {
    ...options,
    outputCompression: 'none',
    expectedRecords: input.rows + 1,
    label: input.file,
  });
  if (stats.rows !== input.rows)
    throw new Error(`${file}: wrote ${stats.rows} JSON lines, expected ${input.rows}`);
  await rename(partial, file);
  return file;
}
