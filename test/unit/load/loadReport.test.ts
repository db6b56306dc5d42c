import { describe, expect, it } from 'vitest';
import { formatLoadReport, preparedReport, rowChanges, rowsDeleted } from '../../../src/load/loadReport.ts';
import type { PartSummary } from '../../../src/load/loadRun.ts';

const part = (index: number, records: number, rejected = 0): PartSummary => ({
  index,
  bucket: 'landing',
  key: `in/${index}.csv`,
  objectVersion: 'etag:x',
  records,
  rejected,
  rejectedSamples:
    rejected > 0 ? [{ line: 7, column: 'amount', reason: '"x" is not a number (numeric)' }] : [],
  files: [],
});

describe('load report', () => {
  it('counts rows per object and keeps the rejected samples with their file', () => {
    expect(preparedReport([part(0, 3), part(1, 5, 1)])).toEqual({
      perObject: [
        { uri: 's3://landing/in/0.csv', records: 3, rejected: 0 },
        { uri: 's3://landing/in/1.csv', records: 5, rejected: 1 },
      ],
      rejectedSamples: [
        { uri: 's3://landing/in/1.csv', line: 7, column: 'amount', reason: '"x" is not a number (numeric)' },
      ],
    });
    expect(preparedReport(Array.from({ length: 80 }, (_, i) => part(i, 1))).perObject).toHaveLength(50);
  });

  it('splits an upsert into inserted and updated rows', () => {
    expect(rowChanges('upsert', 3, 1)).toEqual({ inserted: 2, updated: 1 });
    expect(rowChanges('append', 3, 0)).toEqual({ inserted: 3, updated: 0 });
    expect(rowChanges('replace', 3, 9)).toEqual({ inserted: 3, updated: 0 });
    expect(rowChanges('merge', 3, 1)).toEqual({ inserted: 2, updated: 1 });
    expect(rowsDeleted('upsert', 3, 1)).toBe(1);
    expect(rowsDeleted('replace', 3, 9)).toBe(9);
    expect(rowsDeleted('merge', 3, 1)).toBe(0);
    expect(rowsDeleted('append', 3, 0)).toBe(0);
  });

  it('says how many rows a merge load merged', () => {
    const lines = formatLoadReport({
      result: {
        table: 'public.sales',
        mode: 'merge',
        objects: 1,
        records: 4,
        merged: 3,
        inserted: 2,
        updated: 1,
      },
    });
    expect(lines).toContain('  merged   3 rows by MERGE on the keys');
    expect(lines).toContain('           2 inserted, 1 updated, 0 deleted');
    const marked = formatLoadReport({
      result: {
        table: 'public.sales',
        mode: 'upsert',
        merged: 3,
        inserted: 2,
        updated: 1,
        deleted: 1,
        deletedByMarker: 4,
      },
    });
    expect(marked).toContain('           2 inserted, 1 updated, 4 deleted');
  });

  it('says in words that there was nothing to do, and which run loaded each skipped object', () => {
    expect(
      formatLoadReport({
        result: {
          nothingToDo: true,
          skippedCount: 2,
          skipped: [
            { uri: 's3://landing/in/a.csv', loadedBy: 'run-1' },
            { uri: 's3://landing/in/b.csv', loadedBy: 'run-2' },
          ],
        },
      }),
    ).toEqual([
      '  nothing to do: all 2 source object(s) were loaded by earlier runs; no rows changed',
      '    skipped s3://landing/in/a.csv (loaded by run run-1)',
      '    skipped s3://landing/in/b.csv (loaded by run run-2)',
    ]);
  });

  it('reports rows read, rejected, inserted, updated, deleted and per object; never "rows 0" for a load', () => {
    const lines = formatLoadReport({
      result: {
        table: 'public.sales',
        mode: 'replace',
        objects: 2,
        records: 3_000_000,
        rowsRead: 3_000_001,
        rejected: 1,
        inserted: 3_000_000,
        updated: 0,
        deleted: 10,
        rowsBefore: 10,
        rowsAfter: 3_000_000,
        perObject: [
          { uri: 's3://landing/in/0.csv', records: 1_000_000, rejected: 0 },
          { uri: 's3://landing/in/1.csv', records: 2_000_000, rejected: 1 },
        ],
        rejectedSamples: [{ uri: 's3://landing/in/1.csv', line: 7, column: 'amount', reason: 'bad' }],
      },
      skipped: [{ uri: 's3://landing/in/old.csv', loadedBy: 'run-0' }],
      skippedCount: 1,
    });
    expect(lines).toEqual([
      '  table    public.sales (replace)',
      '  objects  2 loaded, 1 skipped (loaded by earlier runs)',
      '  rows     3,000,001 read, 1 rejected, 3,000,000 staged',
      '           3,000,000 inserted, 0 updated, 10 deleted',
      '  table rows 10 -> 3,000,000',
      '    s3://landing/in/0.csv: 1,000,000 rows',
      '    s3://landing/in/1.csv: 2,000,000 rows, 1 rejected',
      '    rejected s3://landing/in/1.csv line 7 column "amount": bad',
      '    skipped s3://landing/in/old.csv (loaded by run run-0)',
    ]);
  });

  it('names empty objects as skipped with their reason, apart from those loaded before', () => {
    const output = {
      result: { table: 'public.t', mode: 'append', objects: 1, records: 2, rowsRead: 2, inserted: 2 },
      skipped: [
        { uri: 's3://landing/in/_SUCCESS', reason: 'empty object' },
        { uri: 's3://landing/in/old.csv', loadedBy: 'run-0' },
      ],
      skippedCount: 3,
    };
    const lines = formatLoadReport(output);
    expect(lines[1]).toBe('  objects  1 loaded, 2 skipped (loaded by earlier runs), 1 skipped (empty)');
    expect(lines.slice(-3)).toEqual([
      '    skipped s3://landing/in/_SUCCESS (empty object)',
      '    skipped s3://landing/in/old.csv (loaded by run run-0)',
      '    ... and 1 more skipped',
    ]);
    expect(
      formatLoadReport({ result: { nothingToDo: true }, skipped: output.skipped, skippedCount: 2 })[0],
    ).toBe(
      '  nothing to do: all 1 source object(s) were loaded by earlier runs (and 1 empty); no rows changed',
    );
  });
});
