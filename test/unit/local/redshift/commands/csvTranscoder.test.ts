import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeQuery } from '../../../../../local/redshift/commands/unload/columns.ts';
import { CopyTextRowParser } from '../../../../../local/redshift/commands/unload/copyTextRows.ts';
import type { TranscodeOptions } from '../../../../../local/redshift/commands/unload/csvTranscoder.ts';
import {
  CsvTranscoder,
  canTranscode,
  pgCsvCopySql,
} from '../../../../../local/redshift/commands/unload/csvTranscoder.ts';
import { formatDelimited } from '../../../../../local/redshift/commands/unload/formatRow.ts';
import { copyToBytes } from '../../../../helpers/copyToBytes.ts';
import type { TestDatabase } from '../../../../helpers/testDatabase.ts';
import { createTestDatabase } from '../../../../helpers/testDatabase.ts';

// The transcoder must produce exactly what the row-by-row formatter (the reference) produces from
// the same query, for every option and every awkward value.
let db: TestDatabase;
let client: pg.Client;

const QUERY = 'select * from tricky order by id';

beforeAll(async () => {
  db = await createTestDatabase('csvtr');
  client = new pg.Client(db.url);
  await client.connect();
  await client.query(`
    CREATE TABLE tricky (id int, s varchar(50), t text, n numeric(10,2), b boolean, a int[], j json);
    INSERT INTO tricky VALUES
      (1, '', '', 0, true, '{1,2}', '{"a":"b,c"}'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, '\\N', '\\.', -1.5, false, '{}', '[]'),
      (4, 'a,b|c''d', E'tab\\there', 12.25, true, '{3}', '"q\\"x"'),
      (5, 'say "hi"', '""', 1, true, '{NULL,4}', 'null'),
      (6, E'line\\nbreak', E'cr\\rlf\\r\\n', 2, false, NULL, '1'),
      (7, E'back\\\\slash\\\\', 'fred', 3, true, NULL, '{}'),
      (8, 'ünïcødé ✓ 𝄞', 'x"', 4, NULL, NULL, NULL),
      (9, '"', ',', 5, true, NULL, NULL);
  `);
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const copyBytes = (sql: string) => copyToBytes(client, sql);

type Opts = Omit<TranscodeOptions, 'isCharacter' | 'slices'>;

async function reference(o: Opts, slices: number): Promise<string[]> {
  const columns = await describeQuery(client, QUERY);
  const parser = new CopyTextRowParser();
  const rows = [...parser.push(await copyBytes(`COPY (${QUERY}) TO STDOUT`)), ...parser.end()];
  const out = Array.from({ length: slices }, () => '');
  rows.forEach((r, i) => {
    out[i % slices] += `${formatDelimited(r, columns, o)}\n`;
  });
  return out;
}

async function transcoded(o: Opts, slices: number, chunkSize: number): Promise<string[]> {
  const columns = await describeQuery(client, QUERY);
  const tr = new CsvTranscoder({ ...o, isCharacter: columns.map((c) => c.isCharacter), slices }, 8);
  const bytes = await copyBytes(pgCsvCopySql(QUERY, o.delimiter));
  const out: Buffer[][] = tr.slices.map(() => []);
  for (let i = 0; i < bytes.length; i += chunkSize) {
    tr.push(bytes.subarray(i, i + chunkSize));
    // Take whole rows out as the executor does, leaving partial rows behind.
    tr.slices.forEach((s, k) => {
      if (s.committed > 0) out[k]?.push(s.takeCommitted().bytes);
    });
  }
  expect(tr.atRowBoundary).toBe(true);
  expect(tr.rows).toBe(9);
  return out.map((b) => Buffer.concat(b).toString());
}

const cases: [string, Opts][] = [
  ['CSV', { format: 'csv', delimiter: ',', nullAs: '', addQuotes: false, escape: false }],
  [
    'CSV pipe, NULL AS \\N',
    { format: 'csv', delimiter: '|', nullAs: '\\N', addQuotes: false, escape: false },
  ],
  ['CSV tab', { format: 'csv', delimiter: '\t', nullAs: 'null', addQuotes: false, escape: false }],
  ["CSV quote-delimited (')", { format: 'csv', delimiter: "'", nullAs: '', addQuotes: false, escape: false }],
  ['text', { format: 'text', delimiter: '|', nullAs: '', addQuotes: false, escape: false }],
  ['text comma', { format: 'text', delimiter: ',', nullAs: '', addQuotes: false, escape: false }],
  ['text ESCAPE', { format: 'text', delimiter: '|', nullAs: '\\N', addQuotes: false, escape: true }],
  ['text ADDQUOTES', { format: 'text', delimiter: '|', nullAs: 'fred', addQuotes: true, escape: false }],
  ['text ESCAPE ADDQUOTES', { format: 'text', delimiter: ',', nullAs: '\\N', addQuotes: true, escape: true }],
  [
    'text backslash delimiter',
    { format: 'text', delimiter: '\\', nullAs: '', addQuotes: false, escape: true },
  ],
];

describe('CsvTranscoder', () => {
  it.each(cases)('%s: same bytes as the row formatter, any chunking, any slices', async (_label, o) => {
    expect(canTranscode(o.delimiter, o.nullAs)).toBe(true);
    for (const slices of [1, 4]) {
      const expected = await reference(o, slices);
      for (const chunk of [1, 7, 1 << 20]) expect(await transcoded(o, slices, chunk)).toEqual(expected);
    }
  });

  it('routes rows round-robin and counts them per slice, with where each row ends', () => {
    const tr = new CsvTranscoder({
      format: 'csv',
      delimiter: ',',
      nullAs: '',
      addQuotes: false,
      escape: false,
      isCharacter: [false],
      slices: 2,
    });
    tr.push(Buffer.from('1\n2\n3\n'));
    expect(tr.rows).toBe(3);
    const [a, b] = tr.slices;
    expect(a?.takeCommitted()).toEqual({ bytes: Buffer.from('1\n3\n'), rows: 2, ends: [2, 4] });
    expect(b?.takeCommitted()).toEqual({ bytes: Buffer.from('2\n'), rows: 1, ends: [2] });
  });

  it('leaves delimiters PostgreSQL cannot take to the row formatter', () => {
    expect(canTranscode('"', '')).toBe(false);
    expect(canTranscode('\n', '')).toBe(false);
    expect(canTranscode('¦', '')).toBe(false);
    expect(canTranscode('ab', '')).toBe(false);
  });
});
