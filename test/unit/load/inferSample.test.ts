import { describe, expect, it } from 'vitest';
import { loadFormatSchema } from '../../../src/job/loadJob.ts';
import { inferFromSample } from '../../../src/load/inferSample.ts';

async function* chunks(...parts: string[]) {
  yield* parts;
}

describe('inferFromSample', () => {
  it.each([
    {
      what: 'CSV with a header, quoted fields split across chunks',
      parts: ['id;na', 'me\n1;"x;\ny"\n300;z\n'],
      job: { format: loadFormatSchema.parse({ type: 'csv', header: true, delimiter: ';' }) },
      limit: 10,
      columns: [
        { name: 'id', type: 'smallint' },
        { name: 'name', type: 'varchar(16)' },
      ],
    },
    {
      what: 'CSV without a header, named by "columns", after skipLines, first N records only',
      parts: ['# export\n1,2024-01-01T00:00:00Z\n2,2024-01-02T00:00:00Z\nbad,bad\n'],
      job: {
        format: loadFormatSchema.parse({ type: 'csv', skipLines: 1 }),
        columns: ['id', 'at'],
      },
      limit: 2,
      columns: [
        { name: 'id', type: 'smallint' },
        { name: 'at', type: 'timestamptz' },
      ],
    },
    {
      what: 'JSON lines, keys in first-seen order, blank lines ignored',
      parts: ['{"id": 1, "tags": ["a"]}\n\n{"id": 2.5, "ok": true}', '\n'],
      job: { format: loadFormatSchema.parse({ type: 'json' }) },
      limit: 10,
      columns: [
        { name: 'id', type: 'numeric(2,1)' },
        { name: 'tags', type: 'super' },
        { name: 'ok', type: 'boolean' },
      ],
    },
    {
      what: 'CSV header names as header matching reads them: columnMap, else normalised',
      parts: ['Airport Name,Cost Total $,Code\nx,1.5,a\n'],
      job: {
        format: loadFormatSchema.parse({ type: 'csv', header: true }),
        columnMap: { Code: 'iata' },
      },
      limit: 10,
      columns: [
        { name: 'airport_name', type: 'varchar(16)' },
        { name: 'cost_total', type: 'numeric(2,1)' },
        { name: 'iata', type: 'varchar(16)' },
      ],
    },
    {
      what: 'JSON keys in lower case (Redshift folds column names)',
      parts: ['{"Miles_per_Gallon": 18}\n'],
      job: { format: loadFormatSchema.parse({ type: 'json', keys: 'ignorecase' }) },
      limit: 10,
      columns: [{ name: 'miles_per_gallon', type: 'smallint' }],
    },
  ])('$what', async ({ parts, job, limit, columns }) => {
    expect(await inferFromSample(chunks(...parts), job, 'sample.txt', limit)).toEqual(columns);
  });

  it('names the file and line of a line that is not a JSON object', async () => {
    await expect(
      inferFromSample(
        chunks('{"a":1}\n[1]\n'),
        { format: loadFormatSchema.parse({ type: 'json' }) },
        's.json',
      ),
    ).rejects.toThrow('s.json line 2: expected a JSON object per line');
  });

  it('asks for "columns" when a CSV has no header', async () => {
    await expect(
      inferFromSample(chunks('1,2\n'), { format: loadFormatSchema.parse({ type: 'csv' }) }, 's.csv'),
    ).rejects.toThrow('s.csv: the file has no header and the job no "columns"');
  });
});
