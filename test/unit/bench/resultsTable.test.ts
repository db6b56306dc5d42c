import { describe, expect, it } from 'vitest';
import type { BenchResults, MachineInfo, SuiteResult } from '../../../bench/lib/results.ts';
import { mergeResults } from '../../../bench/lib/results.ts';
import {
  formatRatio,
  renderResultsTable,
  replaceBetweenMarkers,
  TABLE_END,
  TABLE_START,
} from '../../../bench/lib/resultsTable.ts';

const machine: MachineInfo = {
  cpuModel: 'AMD EPYC',
  cores: 2,
  memoryGiB: 24,
  os: 'Debian GNU/Linux 12 (bookworm)',
  node: 'v22.23.3',
  postgres: '15.18',
  gzip: 'gzip 1.12',
  zstd: 'zstd v1.5.4',
  loadAverage: 0.4,
};

const suite = (name: string, overrides: Partial<SuiteResult> = {}): SuiteResult => ({
  name,
  title: name.toUpperCase(),
  status: 'ok',
  seconds: 1,
  rows: [],
  notes: [],
  measuredAt: '2025-01-01T00:00:00.000Z',
  ...overrides,
});

describe('Function: renderResultsTable', () => {
  it('describes the machine and renders one row per case, with notes after the table', () => {
    // Prepare
    const results: BenchResults = {
      generatedAt: '2025-01-02T03:04:05.000Z',
      machine,
      suites: [
        suite('part-processing', {
          title: 'Part processing',
          rows: [
            {
              case: 'verify gzip, 100 MB',
              ours: '410 MB/s',
              reference: 'gzip -dc | wc -l: 430 MB/s',
              ratio: 0.9535,
              memory: '88 MiB',
              goal: '≥ 0.85x',
              met: true,
            },
            {
              case: 'csv|jsonl',
              ours: '50 MB/s',
              reference: 'x',
              ratio: 0.5,
              memory: '',
              goal: '≥ 0.85x',
              met: false,
              note: 'conversion',
            },
          ],
          notes: ['gzip level 6 on both sides.'],
        }),
        suite('dataapi', { title: 'Data API', status: 'skipped' }),
        suite('e2e-local', { title: 'E2E', status: 'failed', error: 'ConfigError: no load.asl.yml' }),
      ],
    };
    // Act
    const table = renderResultsTable(results);
    // Assess
    expect(table).toBe(
      [
        'Measured on: AMD EPYC, 2 cores, 24 GiB RAM, Debian GNU/Linux 12 (bookworm); Node v22.23.3; PostgreSQL 15.18; gzip 1.12; zstd v1.5.4; load average 0.4 at start.',
        'Generated 2025-01-02 03:04 UTC by `npm run bench`.',
        '',
        '| Benchmark | Case | Ours | Reference | Ratio | Peak memory | Goal | Met |',
        '| --- | --- | --- | --- | ---: | ---: | --- | --- |',
        '| Part processing | verify gzip, 100 MB | 410 MB/s | gzip -dc \\| wc -l: 430 MB/s | 0.95x | 88 MiB | ≥ 0.85x | yes |',
        '| Part processing | csv\\|jsonl (conversion) | 50 MB/s | x | 0.50x |  | ≥ 0.85x | **no** |',
        '| Data API | not run | | | | | | |',
        '| E2E | failed: ConfigError: no load.asl.yml | | | | | | |',
        '',
        '- Part processing: gzip level 6 on both sides.',
      ].join('\n'),
    );
  });
});

describe('Function: formatRatio', () => {
  it.each([
    [0.912, '0.91x'],
    [1, '1.00x'],
    [36, '36.0x'],
    [null, '-'],
    [Number.POSITIVE_INFINITY, '-'],
  ])('%s -> %s', (ratio, text) => {
    expect(formatRatio(ratio)).toBe(text);
  });
});

describe('Function: replaceBetweenMarkers', () => {
  it('replaces only what is between the markers', () => {
    const doc = `# Benchmarks\n\nIntro.\n\n${TABLE_START}\nold table\n${TABLE_END}\n\n## How to read it\n`;
    expect(replaceBetweenMarkers(doc, 'new table\n')).toBe(
      `# Benchmarks\n\nIntro.\n\n${TABLE_START}\nnew table\n${TABLE_END}\n\n## How to read it\n`,
    );
  });

  it('appends a Results section with the markers when they are missing', () => {
    expect(replaceBetweenMarkers('# Benchmarks\n', 'table')).toBe(
      `# Benchmarks\n\n## Results\n\n${TABLE_START}\ntable\n${TABLE_END}\n`,
    );
    expect(replaceBetweenMarkers('', 'table')).toBe(`## Results\n\n${TABLE_START}\ntable\n${TABLE_END}\n`);
  });

  it('is stable when run twice', () => {
    const once = replaceBetweenMarkers('# B\n', 't1');
    expect(replaceBetweenMarkers(replaceBetweenMarkers(once, 't2'), 't2')).toBe(
      replaceBetweenMarkers(once, 't2'),
    );
  });
});

describe('Function: mergeResults', () => {
  const order = ['part-processing', 'e2e-local', 'orchestration', 'polling'];

  it('replaces the suites that ran, keeps the others, and orders them by the suite list', () => {
    const previous: BenchResults = {
      generatedAt: '2025-01-01T00:00:00.000Z',
      machine,
      suites: [suite('polling', { seconds: 9 }), suite('part-processing', { seconds: 5 })],
    };
    const current: BenchResults = {
      generatedAt: '2025-01-02T00:00:00.000Z',
      machine: { ...machine, cores: 4 },
      suites: [suite('polling', { seconds: 1 }), suite('zzz'), suite('orchestration')],
    };
    const merged = mergeResults(previous, current, order);
    expect(merged.generatedAt).toBe('2025-01-02T00:00:00.000Z');
    expect(merged.machine.cores).toBe(4);
    expect(merged.suites.map((s) => [s.name, s.seconds])).toEqual([
      ['part-processing', 5],
      ['orchestration', 1],
      ['polling', 1],
      ['zzz', 1],
    ]);
  });

  it('takes the current results when there is no previous file', () => {
    const current: BenchResults = { generatedAt: 'now', machine, suites: [suite('e2e-local')] };
    expect(mergeResults(undefined, current, order)).toEqual(current);
  });
});
