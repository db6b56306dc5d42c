import { describe, expect, it } from 'vitest';
import { CsvRecordReader, csvRecords, formatCsvRecord } from '../../../src/csv/csvRecords.ts';
import { UnterminatedQuoteError } from '../../../src/csv/csvScanner.ts';

async function* pieces(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function parse(text: string, size = 3, delimiter = ',', quote = '"') {
  const out: { line: number; fields: string[] }[] = [];
  for await (const r of csvRecords(pieces(text, size), { delimiter, quote })) {
    out.push({ line: r.line, fields: r.fields.map((f) => (f.quoted ? `q:${f.value}` : f.value)) });
  }
  return out;
}

describe('Function: csvRecords', () => {
  it.each([1, 2, 7, 1000])('splits records whatever the chunk size (%i)', async (size) => {
    const text = 'id,name\r\n1,"a, ""b"""\n2,"multi\nline"\n3,,""\n4,x"y\n';
    expect(await parse(text, size)).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'q:a, "b"'] },
      { line: 3, fields: ['2', 'q:multi\nline'] },
      { line: 5, fields: ['3', '', 'q:'] },
      { line: 6, fields: ['4', 'x"y'] },
    ]);
  });

  it('reads a last record without a newline, other delimiters and quotes, and a bare CR in a field', async () => {
    expect(await parse("a|'x|y'|b\rc\n1|2|3", 2, '|', "'")).toEqual([
      { line: 1, fields: ['a', 'q:x|y', 'b\rc'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  it('throws on a quote never closed, naming the line where the record starts', async () => {
    await expect(parse('a,b\n1,"open\n2,3\n')).rejects.toThrow(UnterminatedQuoteError);
    await expect(parse('a,b\n1,"open\n2,3\n')).rejects.toMatchObject({ line: 2 });
  });
});

describe('Class: CsvRecordReader', () => {
  const shown = (r: { line: number; fields: { value: string; quoted: boolean }[] }) => ({
    line: r.line,
    fields: r.fields.map((f) => (f.quoted ? `q:${f.value}` : f.value)),
  });

  it('reads bytes fed one at a time, a UTF-8 character split between chunks included', () => {
    const bytes = Buffer.from('id,name\r\n1,"é, ""日本"""\n2,ü\n3,"open\nline"');
    const splitter = new CsvRecordReader({ delimiter: ',', quote: '"' });
    const records = [];
    for (const byte of bytes) records.push(...splitter.push(Uint8Array.of(byte)));
    records.push(...splitter.end());
    expect(records.map(shown)).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'q:é, "日本"'] },
      { line: 3, fields: ['2', 'ü'] },
      { line: 4, fields: ['3', 'q:open\nline'] },
    ]);
  });

  it('gives nothing at the end of input that ended with its newline', () => {
    const splitter = new CsvRecordReader({ delimiter: ',', quote: '"' });
    expect(splitter.push(Buffer.from('a,b\n')).map(shown)).toEqual([{ line: 1, fields: ['a', 'b'] }]);
    expect(splitter.end()).toEqual([]);
  });
});

describe('Function: formatCsvRecord', () => {
  it('keeps quoted fields quoted and quotes what needs it', () => {
    expect(
      formatCsvRecord(
        [
          { value: '', quoted: true },
          { value: '', quoted: false },
          { value: 'a,b', quoted: false },
          { value: 'say "hi"', quoted: true },
          { value: 'plain', quoted: false },
        ],
        { delimiter: ',', quote: '"' },
      ),
    ).toBe('"",,"a,b","say ""hi""",plain\n');
  });
});
