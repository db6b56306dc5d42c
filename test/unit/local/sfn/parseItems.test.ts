import { describe, expect, it } from 'vitest';
import { batchItems, parseCsv, parseItems } from '../../../../local/sfn/parseItems.ts';

describe('parseItems', () => {
  it.each([
    ['JSON array', '[{"n":1},{"n":2}]', { InputType: 'JSON' }, [{ n: 1 }, { n: 2 }]],
    ['JSONL with a blank line', '{"n":1}\n\n{"n":2}\n', { InputType: 'JSONL' }, [{ n: 1 }, { n: 2 }]],
    [
      'CSV with the header in the first row',
      'n,label\n1,"a, b"\n2,"say ""hi"""\n',
      { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
      [
        { n: '1', label: 'a, b' },
        { n: '2', label: 'say "hi"' },
      ],
    ],
    [
      'CSV with given headers and a pipe delimiter',
      '1|x\r\n2|y',
      { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['n', 'tag'], CSVDelimiter: 'PIPE' },
      [
        { n: '1', tag: 'x' },
        { n: '2', tag: 'y' },
      ],
    ],
  ])('%s', (_name, body, config, expected) => {
    expect(parseItems(body, config, 's3://b/k')).toEqual(expected);
  });

  it.each([
    [
      'JSON that is not an array',
      '{"n":1}',
      { InputType: 'JSON' },
      's3://b/k must hold a JSON array of items',
    ],
    ['a bad JSONL line', '{"n":1}\n{n:2}', { InputType: 'JSONL' }, /^s3:\/\/b\/k line 2 is not valid JSON/],
    [
      'a CSV row wider than the header',
      'a\n1,2',
      { InputType: 'CSV' },
      's3://b/k line 2 has 2 fields but the header has 1',
    ],
    ['an unsupported type', 'x', { InputType: 'PARQUET' }, /InputType PARQUET is not supported/],
  ])('rejects %s with States.ItemReaderFailed', (_name, body, config, message) => {
    expect(() => parseItems(body, config, 's3://b/k')).toThrow(
      expect.objectContaining({ name: 'States.ItemReaderFailed', message: expect.stringMatching(message) }),
    );
  });

  it('keeps newlines inside quoted CSV fields and reports the row line', () => {
    expect(parseCsv('a,b\n"x\ny",z\n3,4', ',', 'f')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x\ny', 'z'], line: 2 },
      { fields: ['3', '4'], line: 4 },
    ]);
  });
});

describe('batchItems', () => {
  it('cuts batches by item count', () => {
    expect(batchItems([1, 2, 3, 4, 5], 2, undefined, undefined)).toEqual([
      { items: [1, 2], first: 0 },
      { items: [3, 4], first: 2 },
      { items: [5], first: 4 },
    ]);
  });

  it('cuts batches by serialized size, BatchInput included, and never leaves a batch empty', () => {
    // {"Items":[],"BatchInput":null} is 30 bytes; each "xxxxxxxxxx" item is 12 bytes (+1 comma).
    const item = 'x'.repeat(10);
    expect(batchItems([item, item, item], undefined, 55, undefined).map((b) => b.items.length)).toEqual([
      2, 1,
    ]);
    expect(batchItems(['y'.repeat(100), item], undefined, 40, undefined).map((b) => b.items.length)).toEqual([
      1, 1,
    ]);
  });
});
