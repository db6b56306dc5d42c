import type { RunRow } from '../src/runs/runSummary.ts';
import { formatBytes, formatDuration } from './progress.ts';

/** The `runs` table: newest first, one line per execution, `-` where a figure is unknown. */
export function formatRuns(rows: readonly RunRow[], now: Date): string {
  const header = [
    'STATUS',
    'START (UTC)',
    'DURATION',
    'KIND',
    'JOB',
    'ROWS',
    'BYTES',
    'PARTS',
    'ERROR',
    'EXECUTION',
  ];
  const cells = rows.map((r) => [
    r.status,
    r.start ? r.start.toISOString().replace('T', ' ').slice(0, 19) : '-',
    r.start ? formatDuration((r.stop ?? now).getTime() - r.start.getTime()) : '-',
    r.kind,
    r.job ?? '-',
    r.rows === undefined ? '-' : r.rows.toLocaleString('en-US'),
    r.bytes === undefined ? '-' : formatBytes(r.bytes),
    r.parts === undefined ? '-' : String(r.parts),
    r.error ?? '',
    r.name,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const right = new Set([2, 5, 6, 7]);
  const line = (values: string[]) =>
    values
      .map((v, i) => (right.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[header, ...cells].map(line).join('\n')}\n`;
}
