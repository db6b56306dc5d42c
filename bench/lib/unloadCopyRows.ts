import type { ResultRow } from './results.ts';

/** Issue 13's goals: Parquet both ways >= 0.5x of PostgreSQL's COPY, UNLOAD CSV GZIP >= 0.6x. */
const GOALS: Record<string, number | undefined> = {
  'UNLOAD CSV GZIP': 0.6,
  'UNLOAD PARQUET': 0.5,
  'COPY PARQUET': 0.5,
};

export interface MeasuredStep {
  name: string;
  step: { ms: number; cpu: number; rss: number };
  native: { name: string; ms: number; cpu: number };
}

/** The results-table rows of bench/unload-copy.ts: each step against PostgreSQL's own COPY of the same rows. */
export function unloadCopyRows(steps: readonly MeasuredStep[], rows: number): ResultRow[] {
  return steps.map(({ name, step, native }) => {
    const goal = GOALS[name];
    const ratio = native.ms / step.ms;
    return {
      case: `${name}, ${rows.toLocaleString('en-US')} rows (7 columns, 4 slices)`,
      ours: `${(step.ms / 1000).toFixed(2)} s, CPU ${(step.cpu / 1000).toFixed(2)} s (CPU ratio ${(native.cpu / step.cpu).toFixed(2)}x)`,
      reference: `PostgreSQL's ${native.name} of the same rows: ${(native.ms / 1000).toFixed(2)} s, CPU ${(native.cpu / 1000).toFixed(2)} s`,
      ratio: Number(ratio.toFixed(2)),
      memory: `${Math.round(step.rss / 1024 / 1024)} MB`,
      goal: goal === undefined ? '' : `≥ ${goal.toFixed(2)}x`,
      met: goal === undefined ? null : ratio >= goal,
    };
  });
}
