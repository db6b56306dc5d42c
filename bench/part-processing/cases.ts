import type { PartProcessingOptions } from '../../src/parts/processPartStream.ts';
import { SALES_SCHEMA } from './salesCsv.ts';

/** Output levels: each case passes its level to processPartStream and to the native command. */
const ZSTD_LEVEL = 3;
const GZIP_LEVEL = 6;
const GZIP_FAST_LEVEL = 1;

/**
 * The native side of a CSV -> JSON lines case: no standard tool converts, so it does the same
 * codec work on the same bytes in a pipeline of the same shape, three processes at once: gunzip
 * the CSV part, and gzip + hash the JSON lines our converter writes from it (`$JSONL`, prepared
 * once). The conversion itself is ours alone.
 */
function nativeJsonlCommand(level: number): string {
  return `gzip -dc < "$IN" > /dev/null & gzip -${level} -c < "$JSONL" | sha256sum >/dev/null; wait $!`;
}

/**
 * The part-processing cases: what our stream does, and the native command doing the same codec
 * work on the same bytes at the same level (the limit). `$IN` is the gzip CSV part (the bzip2 one
 * for `input: 'bzip2'`), `$JSONL` our JSON lines of it.
 */
export const CASES = {
  verify: {
    title: 'gzip CSV: count + sha256, bytes kept (no re-encode)',
    options: { format: 'csv', compression: 'gzip', header: true },
    // `wait $!` waits for the process substitution, so that its time counts (wall and CPU).
    native: 'tee >(sha256sum >/dev/null) < "$IN" | gzip -dc | wc -l >/dev/null; wait $!',
  },
  'gzip-to-zstd': {
    title: `gzip CSV -> count -> zstd (level ${ZSTD_LEVEL}) + sha256`,
    options: {
      format: 'csv',
      compression: 'gzip',
      outputCompression: 'zstd',
      zstdLevel: ZSTD_LEVEL,
      header: true,
    },
    native: `gzip -dc < "$IN" | zstd -${ZSTD_LEVEL} -T1 -q -c | sha256sum >/dev/null`,
  },
  'csv-to-jsonl': {
    title: `gzip CSV -> JSON lines -> gzip (level ${GZIP_LEVEL}) + sha256`,
    options: {
      format: 'csv',
      compression: 'gzip',
      convert: 'csv-to-jsonl',
      gzipLevel: GZIP_LEVEL,
      header: true,
      schema: SALES_SCHEMA,
    },
    native: nativeJsonlCommand(GZIP_LEVEL),
    jsonl: true,
  },
  'bzip2-copy': {
    title: 'bzip2 CSV: copied as it is + sha256, byte count checked (bzip2 is not decoded)',
    input: 'bzip2',
    options: { format: 'csv', compression: 'bzip2', header: true },
    native: 'tee >(sha256sum >/dev/null) < "$IN" >/dev/null; wait $!',
  },
  'csv-to-jsonl-gzip1': {
    title: `gzip CSV -> JSON lines -> gzip (level ${GZIP_FAST_LEVEL}, process.compressionLevel: 1) + sha256`,
    options: {
      format: 'csv',
      compression: 'gzip',
      convert: 'csv-to-jsonl',
      gzipLevel: GZIP_FAST_LEVEL,
      header: true,
      schema: SALES_SCHEMA,
    },
    native: nativeJsonlCommand(GZIP_FAST_LEVEL),
    jsonl: true,
  },
} satisfies Record<
  string,
  {
    title: string;
    options: Omit<PartProcessingOptions, 'label'>;
    native: string;
    /** The part's compression when not the gzip CSV: the bzip2 part holds the same CSV. */
    input?: 'bzip2';
    /** The native command reads our JSON lines of the part too (`$JSONL`, prepareJsonl in jsonlReference.ts). */
    jsonl?: true;
  }
>;
export type CaseName = keyof typeof CASES;

/** Reference points that are not a case: the raw copy and plain codec speeds on the same bytes. */
export const LIMITS = {
  'raw copy (cat)': 'cat < "$IN" > /dev/null',
  'gzip -dc': 'gzip -dc < "$IN" > /dev/null',
  "gzip -dc | gzip -1 (the issue's reference)": 'gzip -dc < "$IN" | gzip -1 -c > /dev/null',
  // GNU gzip's own deflate costs ~1.5x zlib's per byte at level 1; zstd's gzip format is zlib,
  // the library Node's createGzip uses: the jsonl-gzip1 reference with zlib instead of GNU gzip.
  'csv-to-jsonl-gzip1 reference with zlib (zstd --format=gzip -1) instead of GNU gzip':
    'gzip -dc < "$IN" > /dev/null & zstd --format=gzip -1 -q -c < "$JSONL" | sha256sum >/dev/null; wait $!',
} as const;

export function caseOptions(name: CaseName): Omit<PartProcessingOptions, 'label'> {
  const spec = CASES[name];
  if (spec === undefined)
    throw new Error(`unknown part-processing case "${name}"; known: ${Object.keys(CASES).join(', ')}`);
  return spec.options as Omit<PartProcessingOptions, 'label'>;
}
