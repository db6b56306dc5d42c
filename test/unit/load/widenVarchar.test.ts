import { describe, expect, it } from 'vitest';
import { loadJobSchema } from '../../../src/job/loadJob.ts';
import { checkValue } from '../../../src/load/checkValue.ts';
import type { TargetColumn } from '../../../src/load/targetColumns.ts';
import { LongestValues, planWidening, widenableColumns } from '../../../src/load/widenVarchar.ts';

const varchar = (name: string, maxLength: number): TargetColumn => ({
  name,
  type: 'character varying',
  nullable: true,
  hasDefault: false,
  maxLength,
  precision: null,
  scale: null,
});
const id: TargetColumn = { ...varchar('id', 1), type: 'integer', maxLength: null, precision: 32, scale: 0 };
const char: TargetColumn = { ...varchar('code', 3), type: 'character' };

const job = (schemaEvolution?: string[]) =>
  loadJobSchema.parse({
    kind: 'load',
    name: 'w',
    target: { clusterIdentifier: 'c', database: 'd', dbUser: 'u' },
    iamRole: 'arn:aws:iam::123456789012:role/r',
    table: 'public.t',
    source: { prefix: 's3://landing/w/' },
    staging: 's3://staging/loads/',
    format: { type: 'csv', header: true },
    ...(schemaEvolution === undefined ? {} : { schemaEvolution }),
  });

describe('widenVarchar', () => {
  it('lets prepare take VARCHAR values up to 65535 bytes only when the job allows widening; never CHAR', () => {
    const columns = [id, varchar('note', 8), char, varchar('max', 65535)];
    expect(widenableColumns(job(), columns)).toEqual(columns);
    const wide = widenableColumns(job(['widenVarchar']), columns);
    expect(wide.map((c) => c.widenUpTo)).toEqual([undefined, 65535, undefined, undefined]);
    const note = wide[1] as TargetColumn;
    expect(checkValue(note, 'x'.repeat(20), {})).toBeNull();
    expect(checkValue(note, 'x'.repeat(65536), {})).toBe(
      `"${'x'.repeat(60)}..." is 65536 bytes, longer than VARCHAR(65535) can be widened to`,
    );
    expect(checkValue(varchar('note', 8), 'x'.repeat(20), {})).toBe(
      '"xxxxxxxxxxxxxxxxxxxx" is 20 bytes, longer than character varying(8)',
    );
  });

  it('measures the longest value in bytes, only for widenable columns and values longer than the column', () => {
    const longest = new LongestValues();
    const note = { ...varchar('note', 8), widenUpTo: 65535 };
    longest.note(note, 'short');
    longest.note(varchar('other', 2), 'much longer');
    expect(longest.toJSON()).toBeUndefined();
    longest.note(note, 'é'.repeat(5)); // 10 bytes
    longest.note(note, 'x'.repeat(9));
    longest.note(note, null);
    expect(longest.toJSON()).toEqual({ note: 10 });
  });

  it('widens to the next power of two (at least 16) holding the longest value of all parts, up to 65535', () => {
    const columns = [id, varchar('a', 8), varchar('b', 8), varchar('c', 100), varchar('d', 60000)];
    expect(planWidening(columns, [{ a: 20 }, undefined, { a: 9, c: 101 }, { d: 65535 }])).toEqual([
      { column: 'a', from: 8, to: 32 },
      { column: 'c', from: 100, to: 128 },
      { column: 'd', from: 60000, to: 65535 },
    ]);
    expect(planWidening(columns, [{ a: 8 }])).toEqual([]);
    expect(planWidening(columns, [])).toEqual([]);
  });
});
