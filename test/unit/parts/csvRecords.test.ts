import { describe, expect, it } from 'vitest';
import type { CsvField } from '../../../src/csv/csvScanner.ts';
import { CsvRecordSplitter } from '../../../src/parts/csvRecords.ts';
import { random, randomCsv, referenceRecords } from './csvFixtures.ts';

describe('Class: CsvRecordSplitter', () => {
  it('splits random CSV in any chunking like the byte-loop reference', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed);
      const data = randomCsv(next, 3, 30);
      const splitter = new CsvRecordSplitter(',');
      const records: CsvField[][] = [];
      for (let i = 0; i < data.length; ) {
        const size = 1 + Math.floor(next() * 50);
        records.push(...splitter.push(data.subarray(i, i + size)));
        i += size;
      }
      records.push(...splitter.end());
      expect(records, `seed ${seed}`).toEqual(referenceRecords(data));
    }
  });

  it('scans a single-column part with no delimiter in linear time per chunk', () => {
    const data = Buffer.from('x\n'.repeat(200_000));
    let n = 0;
    new CsvRecordSplitter(',').pushRanges(data, () => n++);
    expect(n).toBe(200_000);
  });
});
