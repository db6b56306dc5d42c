import { describe, expect, it } from 'vitest';
import {
  SALES_HEADER,
  SALES_SCHEMA,
  salesCsvChunks,
  salesCsvRows,
  salesLine,
  xorshift32,
} from '../../../bench/part-processing/salesCsv.ts';
import { createRecordCounter } from '../../../src/parts/recordCounter.ts';

function drain(chunks: Generator<string, number>): { text: string; rows: number } {
  let text = '';
  let step = chunks.next();
  while (step.done !== true) {
    text += step.value;
    step = chunks.next();
  }
  return { text, rows: step.value };
}

describe('Function: salesCsvChunks', () => {
  it('writes the header, then whole lines until the size is reached, and returns the row count', () => {
    const { text, rows } = drain(salesCsvChunks(50_000, { chunkBytes: 4096 }));
    const lines = text.split('\n');
    expect(lines[0]).toBe(SALES_HEADER);
    expect(lines.at(-1)).toBe('');
    expect(text.length).toBeGreaterThanOrEqual(50_000);
    const counter = createRecordCounter('csv');
    counter.write(Buffer.from(text));
    expect(counter.end()).toBe(rows + 1);
  });

  it('is deterministic: the same seed gives the same bytes', () => {
    expect(drain(salesCsvChunks(20_000)).text).toBe(drain(salesCsvChunks(20_000)).text);
    expect(drain(salesCsvChunks(20_000, { seed: 7 })).text).not.toBe(drain(salesCsvChunks(20_000)).text);
  });
});

describe('Function: salesCsvRows', () => {
  it('yields exactly the rows asked for, ids 1..N, without a header', () => {
    const text = [...salesCsvRows(1000, { chunkBytes: 1000 })].join('');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines[0]?.startsWith('1,')).toBe(true);
    expect(lines[999]?.startsWith('1000,')).toBe(true);
  });
});

describe('Function: salesLine', () => {
  it('has one field per schema column and quotes names with commas or quotes', () => {
    const next = xorshift32(1);
    const lines = Array.from({ length: 2000 }, (_, i) => salesLine(i + 1, next));
    const quoted = lines.filter((l) => l.includes('"'));
    expect(quoted.length).toBeGreaterThan(0);
    for (const line of lines) {
      const unquoted = line.replace(/"(?:[^"]|"")*"/g, 'X');
      expect(unquoted.trimEnd().split(',')).toHaveLength(SALES_SCHEMA.length);
      expect(line).toMatch(/,2008-\d\d-\d\d,\d,\d+\.\d\d,\d+\.\d\d,2008-\d\d-\d\d \d\d:\d\d:\d\d\n$/);
    }
  });
});
