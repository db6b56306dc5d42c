import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeThisMachine } from './lib/machine.ts';
import { type BenchResults, mergeResults, type ResultRow, type SuiteResult } from './lib/results.ts';
import { renderResultsTable, replaceBetweenMarkers, TABLE_START } from './lib/resultsTable.ts';
import { type BenchOptions, parseBenchArgs, SUITES, type SuiteName } from './options.ts';

const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));
const DOC_FILE = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const README_FILE = fileURLToPath(new URL('../README.md', import.meta.url));

/** Benchmarks written by other engineers, run as they are (`npx --no-install tsx bench/<name>.ts`). */
const EXTERNAL: Partial<Record<SuiteName, { file: string; title: string }>> = {
  dataapi: { file: fileURLToPath(new URL('./dataapi.ts', import.meta.url)), title: 'Data API' },
  'unload-copy': {
    file: fileURLToPath(new URL('./unload-copy.ts', import.meta.url)),
    title: 'UNLOAD/COPY emulator',
  },
};

async function runSuite(name: SuiteName, options: BenchOptions): Promise<SuiteResult> {
  switch (name) {
    case 'part-processing': {
      const { runPartProcessing } = await import('./part-processing/runPartProcessing.ts');
      return runPartProcessing({ sizes: options.partSizes, workDir: options.workDir });
    }
    case 'e2e-local': {
      const { runE2eLocal } = await import('./e2e-local/runE2eLocal.ts');
      return runE2eLocal({ rows: options.rows, workDir: options.workDir });
    }
    case 'orchestration': {
      const { runOrchestration } = await import('./orchestration/runOrchestration.ts');
      return runOrchestration({ partCounts: options.partCounts });
    }
    case 'cost': {
      const { runScaleCost } = await import('./cost/runScaleCost.ts');
      return runScaleCost();
    }
    case 'polling': {
      const { runPolling } = await import('./orchestration/runPolling.ts');
      return runPolling();
    }
    default:
      return runExternal(name);
  }
}

/**
 * Runs another engineer's bench file in a child process; its own output is shown as it comes. A
 * file that writes result rows (JSON, ResultRow[]) to the path in BENCH_ROWS_FILE gets them into
 * the tables.
 */
async function runExternal(name: SuiteName): Promise<SuiteResult> {
  const spec = EXTERNAL[name];
  const base = { name, title: spec?.title ?? name, rows: [], measuredAt: new Date().toISOString() };
  if (spec === undefined || !existsSync(spec.file)) {
    return { ...base, status: 'skipped', seconds: 0, notes: [`bench/${name}.ts is not there yet.`] };
  }
  const started = Date.now();
  const rowsDir = await mkdtemp(join(tmpdir(), 'rt-bench-rows-'));
  const rowsFile = join(rowsDir, 'rows.json');
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', spec.file], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_ROWS_FILE: rowsFile },
    });
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
  const seconds = (Date.now() - started) / 1000;
  const rows = existsSync(rowsFile) ? (JSON.parse(await readFile(rowsFile, 'utf8')) as ResultRow[]) : [];
  await rm(rowsDir, { recursive: true, force: true });
  if (code !== 0) {
    return {
      ...base,
      status: 'failed',
      seconds,
      notes: [],
      error: `bench/${name}.ts exited with code ${code}`,
    };
  }
  return {
    ...base,
    status: 'ok',
    seconds,
    rows,
    notes: [
      rows.length > 0
        ? `Ran bench/${name}.ts (${seconds.toFixed(0)} s); more figures (CPU of PostgreSQL and of the local S3 apart) in its own output.`
        : `Ran bench/${name}.ts (${seconds.toFixed(0)} s); its figures are in its own output.`,
    ],
  };
}

/** Keeps the generated files as `npm run lint` wants them (biome's JSON and Markdown layout). */
async function formatWithBiome(file: string): Promise<void> {
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  if (!existsSync(biome)) return;
  await new Promise<void>((resolve) => {
    const child = spawn(biome, ['format', '--write', file], { stdio: 'ignore' });
    child.on('exit', () => resolve());
    child.on('error', () => resolve());
  });
}

async function readPrevious(): Promise<BenchResults | undefined> {
  try {
    return JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as BenchResults;
  } catch {
    return undefined;
  }
}

export async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (options.help) {
    console.log(options.helpText);
    return 0;
  }
  const machine = await describeThisMachine();
  console.log(`redshift-transfer benchmarks: ${options.suites.join(', ')}`);
  console.log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}, load average ${machine.loadAverage}`,
  );
  if (machine.loadAverage > machine.cores) {
    console.log(
      `warning: the load average (${machine.loadAverage}) is above the core count: something else is running and the figures will be contended.`,
    );
  }
  const suites: SuiteResult[] = [];
  for (const name of options.suites) {
    console.log(`\n== ${name}`);
    const started = Date.now();
    try {
      suites.push(await runSuite(name, options));
    } catch (error) {
      const err = error as Error;
      console.error(`  ${name} failed: ${err.stack ?? err.message}`);
      suites.push({
        name,
        title: name,
        status: 'failed',
        seconds: (Date.now() - started) / 1000,
        rows: [],
        notes: [],
        error: `${err.name}: ${err.message.split('\n')[0]}`,
        measuredAt: new Date().toISOString(),
      });
    }
  }
  const current: BenchResults = { generatedAt: new Date().toISOString(), machine, suites };
  const merged = mergeResults(await readPrevious(), current, SUITES);
  await writeFile(RESULTS_FILE, `${JSON.stringify(merged, null, 2)}\n`);
  await formatWithBiome(RESULTS_FILE);
  const table = renderResultsTable(merged);
  const doc = existsSync(DOC_FILE) ? await readFile(DOC_FILE, 'utf8') : '# Benchmarks\n';
  await writeFile(DOC_FILE, replaceBetweenMarkers(doc, table));
  await formatWithBiome(DOC_FILE);
  // The README carries the same table between the same markers, so it never disagrees with a run.
  const readme = existsSync(README_FILE) ? await readFile(README_FILE, 'utf8') : '';
  if (readme.includes(TABLE_START)) {
    await writeFile(README_FILE, replaceBetweenMarkers(readme, table));
    await formatWithBiome(README_FILE);
  }
  console.log(`\n${table}\n\nwrote ${RESULTS_FILE} and the table in ${DOC_FILE}`);
  return suites.some((s) => s.status === 'failed') ? 1 : 0;
}
