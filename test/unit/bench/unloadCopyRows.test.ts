import { describe, expect, it } from 'vitest';
import { unloadCopyRows } from '../../../bench/lib/unloadCopyRows.ts';

const native = { name: 'COPY TO STDOUT', ms: 500, cpu: 900 };

describe('unloadCopyRows', () => {
  it('puts each step beside PostgreSQL’s COPY with its ratio, CPU ratio, memory and issue 13’s goal', () => {
    const [csv, parquet, copyCsv] = unloadCopyRows(
      [
        { name: 'UNLOAD CSV GZIP', step: { ms: 800, cpu: 1500, rss: 300 * 1024 * 1024 }, native },
        { name: 'UNLOAD PARQUET', step: { ms: 1250, cpu: 3000, rss: 310 * 1024 * 1024 }, native },
        {
          name: 'COPY CSV GZIP',
          step: { ms: 2000, cpu: 4000, rss: 290 * 1024 * 1024 },
          native: { name: 'COPY FROM STDIN', ms: 1000, cpu: 1200 },
        },
      ],
      1_000_000,
    );
    expect(csv).toEqual({
      case: 'UNLOAD CSV GZIP, 1,000,000 rows (7 columns, 4 slices)',
      ours: '0.80 s, CPU 1.50 s (CPU ratio 0.60x)',
      reference: "PostgreSQL's COPY TO STDOUT of the same rows: 0.50 s, CPU 0.90 s",
      ratio: 0.63,
      memory: '300 MB',
      goal: '≥ 0.60x',
      met: true,
    });
    expect(parquet).toMatchObject({ ratio: 0.4, goal: '≥ 0.50x', met: false });
    expect(copyCsv).toMatchObject({ ratio: 0.5, goal: '', met: null });
  });
});
