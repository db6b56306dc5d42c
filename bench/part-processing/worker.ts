/**
 * One part-processing case in its own process, so that its peak RSS is its own:
 * `tsx worker.ts <case> <input.csv.gz> <records>` -> one JSON line on stdout.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { processPartStream } from '../../src/parts/processPartStream.ts';
import { type CaseName, caseOptions } from './cases.ts';

const [caseName, file, records] = process.argv.slice(2);
if (caseName === undefined || file === undefined || records === undefined) {
  console.error('usage: worker.ts <case> <input.csv.gz> <records>');
  process.exit(2);
}
const cpuBefore = process.resourceUsage();
const started = performance.now();
const stats = await processPartStream(createReadStream(file), createWriteStream('/dev/null'), {
  ...caseOptions(caseName as CaseName),
  expectedRecords: Number(records),
  label: file,
});
const seconds = (performance.now() - started) / 1000;
const usage = process.resourceUsage();
// User + system time of every thread of the process (main, libuv's pool running zlib/zstd, V8's).
const cpuSeconds =
  (usage.userCPUTime + usage.systemCPUTime - cpuBefore.userCPUTime - cpuBefore.systemCPUTime) / 1e6;
process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds, stats, maxRssKiB: usage.maxRSS })}\n`);
