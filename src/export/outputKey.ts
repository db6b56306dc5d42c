import type { ExportJob } from '../job/exportJob.ts';

const FORMAT_EXTENSION = { csv: '.csv', text: '.txt', json: '.json', parquet: '.parquet' } as const;
const COMPRESSION_EXTENSION = { gzip: '.gz', zstd: '.zst', bzip2: '.bz2', none: '' } as const;

/** The output compression of a job's parts: `process.recompress`, else the UNLOAD's. */
export function outputCompression(job: Pick<ExportJob, 'unload' | 'process'>) {
  return job.process.recompress ?? job.unload.compression;
}

/**
 * The destination URL of part `index`: `<destination>[<partition folders>/]part-00042-<runId>.csv.gz`.
 * Deterministic (by the part's index in the UNLOAD manifest and the run id), so a retried part
 * overwrites its own output and never another run's: a replacing run writes beside the published
 * parts and switches readers over with `_manifest.json` (docs/export.md, "Ownership and
 * publication"). Hive partition folders (`col=value/`) under the staging prefix are kept.
 */
export function partOutputUrl(
  job: Pick<ExportJob, 'unload' | 'process'>,
  staging: string,
  destination: string,
  part: { index: number; url: string },
  runId: string,
): string {
  const relative = part.url.startsWith(staging) ? part.url.slice(staging.length) : '';
  const folder = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/') + 1) : '';
  const ext = job.process.convert === 'csv-to-jsonl' ? '.jsonl' : FORMAT_EXTENSION[job.unload.format];
  const name = `part-${String(part.index).padStart(5, '0')}-${runId}${ext}${COMPRESSION_EXTENSION[outputCompression(job)]}`;
  return `${destination}${folder}${name}`;
}

/** Hive partition folders (`col=value/`, any depth) or none: where an export writes parts. */
const PARTITION_FOLDERS = '(?:[^/=]+=[^/]*/)*';

/**
 * Whether `keyUnderDestination` is a part that run `runId` writes: its run id is in the name and
 * it sits directly in the destination or in partition folders, so a nested export's folder
 * (`<destination>child/...`) is never one of ours.
 */
export function isRunPartKey(keyUnderDestination: string, runId: string): boolean {
  return new RegExp(`^${PARTITION_FOLDERS}part-\\d{5,}-${runId}\\.[a-z.]+$`).test(keyUnderDestination);
}
