import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every suite, in the order `npm run bench` runs them and the table lists them. */
export const SUITES = [
  'part-processing',
  'e2e-local',
  'orchestration',
  'polling',
  'dataapi',
  'unload-copy',
  'cost',
] as const;
export type SuiteName = (typeof SUITES)[number];

export interface BenchOptions {
  suites: SuiteName[];
  /** Uncompressed CSV sizes of the generated parts, in bytes. */
  partSizes: number[];
  /** Rows exported and loaded by e2e-local. */
  rows: number;
  /** Part counts of the orchestration runs. */
  partCounts: number[];
  /** Where generated data goes (never committed). */
  workDir: string;
  help: boolean;
  helpText: string;
}

const MB = 1_000_000;

export const HELP = `npm run bench [-- [suite...] [flags]]

Suites (default: all): ${SUITES.join(', ')}
Flags:
  --quick         100 MB parts only, 100,000 rows end to end, up to 10,000 parts
  --rows=N        rows for e2e-local (default 1000000; 10M = --rows=10000000 or --rows=10M)
  --big           e2e-local with 10,000,000 rows
  --work-dir=DIR  where test data is generated (default: $TMPDIR/rt-bench)
  --help`;

/** Parses `npm run bench` arguments; unknown suites or flags throw with the list of valid ones. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const suites: SuiteName[] = [];
  let quick = false;
  let rows: number | undefined;
  let workDir = join(tmpdir(), 'rt-bench');
  let help = false;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--big') rows = 10_000_000;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg.startsWith('--rows=')) rows = parseCount(arg.slice('--rows='.length), '--rows');
    else if (arg.startsWith('--work-dir=')) workDir = arg.slice('--work-dir='.length);
    else if ((SUITES as readonly string[]).includes(arg)) suites.push(arg as SuiteName);
    else throw new Error(`Unknown benchmark or flag "${arg}".\n\n${HELP}`);
  }
  return {
    suites: suites.length > 0 ? [...new Set(suites)] : [...SUITES],
    partSizes: quick ? [100 * MB] : [100 * MB, 1000 * MB],
    rows: rows ?? (quick ? 100_000 : 1_000_000),
    partCounts: quick ? [10, 200, 1_000, 10_000] : [10, 200, 1_000, 10_000, 100_000],
    workDir,
    help,
    helpText: HELP,
  };
}

/** `1000000`, `1M`, `10m`, `250k`, `1_000_000` -> a positive integer. */
export function parseCount(text: string, flag: string): number {
  const match = /^(\d[\d_]*)([kKmM]?)$/.exec(text.trim());
  if (!match?.[1])
    throw new Error(`${flag} must be a positive whole number like 1000000, 250k or 10M; got "${text}".`);
  const base = Number(match[1].replaceAll('_', ''));
  const unit = match[2]?.toLowerCase() === 'm' ? 1_000_000 : match[2]?.toLowerCase() === 'k' ? 1_000 : 1;
  const value = base * unit;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${flag} must be at least 1; got "${text}".`);
  return value;
}
