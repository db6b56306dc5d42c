import { describe, expect, it } from 'vitest';
import { unloadOptionsSchema } from '../../../src/job/exportJob.ts';
import { UNLOAD_OPTION_MATRIX, unloadOptionConflicts } from '../../../src/job/unloadOptionMatrix.ts';

const options = (o: Record<string, unknown>) => unloadOptionsSchema.parse(o);

describe('Function: unloadOptionConflicts', () => {
  // AWS's UNLOAD reference, "options that cannot be combined" (aws-facts.md section 1).
  it.each([
    [
      'parquet',
      { delimiter: '|', nullAs: 'x', header: true, escape: true, addQuotes: true, compression: 'zstd' },
      ['DELIMITER', 'NULL AS', 'HEADER', 'ESCAPE', 'ADDQUOTES', 'ZSTD'],
    ],
    [
      'json',
      { delimiter: '|', nullAs: 'x', header: true, escape: true, addQuotes: true, compression: 'gzip' },
      ['DELIMITER', 'NULL AS', 'HEADER', 'ESCAPE', 'ADDQUOTES'],
    ],
    [
      'csv',
      { delimiter: '|', nullAs: 'x', header: true, escape: true, addQuotes: true, compression: 'bzip2' },
      ['ADDQUOTES'],
    ],
    [
      'text',
      { delimiter: '|', nullAs: 'x', header: true, escape: true, addQuotes: true, compression: 'gzip' },
      [],
    ],
  ])('refuses with %s exactly what AWS documents', (format, set, keywords) => {
    expect(unloadOptionConflicts(options({ format, ...set })).map((c) => c.keyword)).toEqual(keywords);
  });

  it('never counts a default as a conflict', () => {
    for (const format of ['csv', 'parquet', 'json', 'text']) {
      expect(unloadOptionConflicts(options({ format }))).toEqual([]);
    }
  });

  it('lets PARTITION BY, MAXFILESIZE and PARALLEL OFF go with every format', () => {
    for (const format of ['csv', 'parquet', 'json', 'text']) {
      const o = options({ format, partitionBy: ['d'], maxFileSize: '256 MB', parallel: false });
      expect(unloadOptionConflicts(o)).toEqual([]);
    }
    expect(UNLOAD_OPTION_MATRIX.partitionBy.formats).toEqual(['csv', 'parquet', 'json', 'text']);
  });
});
