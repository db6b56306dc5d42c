import type { ExportJob } from '../job/exportJob.ts';

const FORMAT_EXTENSION = { csv: '.csv', text: '.txt', json: '.json', parquet: '.parquet' } as const;
const COMPRESSION_EXTENSION = { gzip: '.gz', zstd: '.zst', bzip2: '.bz2', none: '' } as const;

/** The output compression of a job's parts: `process.recompress`, else the UNLOAD's. */
export function outputCompression(job: Pick<ExportJob, 'unload' | 'process'>) {
  return job.process.recompress ?? job.unload.compression;
}

/**
 * The destination URL of part `index`: `<destination>[<partition folders>/]part-00042.csv.gz`.
 * Deterministic (by the part's index in the UNLOAD manifest), so a retried part overwrites its
 * own output; Hive partition folders (`col=value/`) under the staging prefix are kept.
 */
export function partOutputUrl(
  job: Pick<ExportJob, 'unload' | 'process'>,
  staging: string,
  destination: string,
  part: { index: number; url: string },
): string {
  const relative = part.url.startsWith(staging) ? part.url.slice(staging.length) : '';
  const folder = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/') + 1) : '';
  const ext = job.process.convert === 'csv-to-jsonl' ? '.jsonl' : FORMAT_EXTENSION[job.unload.format];
  const name = `part-${String(part.index).padStart(5, '0')}${ext}${COMPRESSION_EXTENSION[outputCompression(job)]}`;
  return `${destination}${folder}${name}`;
}

/** Keys this workflow writes under a destination (for stale-part removal and cleanup). */
export function isOurOutputKey(keyUnderDestination: string): boolean {
  return (
    /(^|\/)part-\d{5,}\.[a-z.]+$/.test(keyUnderDestination) ||
    keyUnderDestination === '_manifest.json' ||
    keyUnderDestination === '_SUCCESS'
  );
}
