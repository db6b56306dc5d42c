/** One line of the results table: what we measured against what it is compared with. */
export interface ResultRow {
  case: string;
  /** Our figure, formatted (e.g. "412 MB/s", "23 polls"). */
  ours: string;
  /** The reference it is compared with, formatted (the native limit, raw COPY, Airflow's poll...). */
  reference: string;
  /** ours / reference as a throughput ratio (>1 better), or null where no ratio applies. */
  ratio: number | null;
  /** Peak memory or other resource figure, formatted; '' when none. */
  memory: string;
  /** The goal, in words ("≥ 0.85x", "< 1,000 events"). */
  goal: string;
  /** Whether the goal was met; null where no goal applies. */
  met: boolean | null;
  note?: string;
}

export interface SuiteResult {
  /** The suite's name as given on the command line (`orchestration`, `part-processing`...). */
  name: string;
  title: string;
  status: 'ok' | 'failed' | 'skipped';
  /** Wall-clock seconds the suite took. */
  seconds: number;
  rows: ResultRow[];
  /** Things a reader must know (missing pieces, why a goal was missed). */
  notes: string[];
  /** Raw measurements, for results.json. */
  details?: unknown;
  error?: string;
  /** When this suite's figures were measured (ISO); suites not re-run keep their old date. */
  measuredAt: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  gzip: string;
  zstd: string;
  /** 1-minute load average when the run started: above the core count, figures are contended. */
  loadAverage: number;
}

export interface BenchResults {
  generatedAt: string;
  machine: MachineInfo;
  suites: SuiteResult[];
}

/**
 * The results file after a run: this run's suites replace the previous file's suites of the same
 * name, the others are kept (so `npm run bench -- orchestration` does not drop the rest), in the
 * order `order` gives (unknown names last, alphabetically).
 */
export function mergeResults(
  previous: BenchResults | undefined,
  current: BenchResults,
  order: readonly string[],
): BenchResults {
  const byName = new Map<string, SuiteResult>();
  for (const suite of previous?.suites ?? []) byName.set(suite.name, suite);
  for (const suite of current.suites) byName.set(suite.name, suite);
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  };
  const suites = [...byName.values()].sort(
    (a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name),
  );
  return { generatedAt: current.generatedAt, machine: current.machine, suites };
}
