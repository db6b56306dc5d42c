import { describe, expect, it } from 'vitest';
import {
  columnMetadata,
  csvPage,
  jsonPage,
  type StoredResult,
} from '../../../../../local/redshift/results/resultSet.ts';

const result = (typeIds: number[], rows: (string | null)[][]): StoredResult => ({
  columns: typeIds.map((t, i) =>
    columnMetadata(
      { name: `c${i}`, dataTypeID: t, dataTypeModifier: -1, tableID: 0, columnID: 0 },
      'x',
      undefined,
    ),
  ),
  typeIds,
  rows,
  size: 0,
});

describe('jsonPage', () => {
  it.each([
    ['int2/int4/int8/oid as longValue', 20, '-9007199254740991', '{"longValue":-9007199254740991}'],
    ['float8 as doubleValue', 701, '1.5e+20', '{"doubleValue":1.5e+20}'],
    ['NaN has no JSON number: stringValue', 701, 'NaN', '{"stringValue":"NaN"}'],
    ['Infinity likewise', 700, '-Infinity', '{"stringValue":"-Infinity"}'],
    ['numeric as a string', 1700, '12.50', '{"stringValue":"12.50"}'],
    ['bool', 16, 'f', '{"booleanValue":false}'],
    ['bytea as base64 blob', 17, '\\x00ff', '{"blobValue":"AP8="}'],
    ['timestamp as text', 1114, '2008-01-05 14:48:00', '{"stringValue":"2008-01-05 14:48:00"}'],
    ['text with quotes and newlines', 25, 'a"b\nc', '{"stringValue":"a\\"b\\nc"}'],
  ])('%s', (_name, typeId, value, json) => {
    expect(jsonPage(result([typeId], [[value]]), 0, 1024).recordsJson).toBe(`[[${json}]]`);
  });

  it('writes NULL as isNull whatever the type', () => {
    expect(jsonPage(result([23, 25], [[null, null]]), 0, 1024).recordsJson).toBe(
      '[[{"isNull":true},{"isNull":true}]]',
    );
  });

  it('splits pages at the byte budget, never below one row, and says where to resume', () => {
    const r = result([23], [['1'], ['2'], ['3'], ['4'], ['5']]);
    // Each row is `[{"longValue":N}]` = 18 bytes plus a comma.
    expect(jsonPage(r, 0, 40)).toEqual({ recordsJson: '[[{"longValue":1}],[{"longValue":2}]]', next: 2 });
    expect(jsonPage(r, 2, 40)).toEqual({ recordsJson: '[[{"longValue":3}],[{"longValue":4}]]', next: 4 });
    expect(jsonPage(r, 4, 40)).toEqual({ recordsJson: '[[{"longValue":5}]]', next: undefined });
    expect(jsonPage(r, 0, 1)).toEqual({ recordsJson: '[[{"longValue":1}]]', next: 1 });
  });
});

describe('csvPage', () => {
  it('writes a header on the first page only and quotes as RFC 4180', () => {
    const r = result(
      [23, 25],
      [
        ['1', 'plain'],
        ['2', 'a,b'],
        ['3', null],
        ['4', 'say "hi"'],
      ],
    );
    const first = csvPage(r, 0, 20);
    expect(first).toEqual({ csv: 'c0,c1\n1,plain\n', next: 1 });
    expect(csvPage(r, 1, 1000)).toEqual({ csv: '2,"a,b"\n3,\n4,"say ""hi"""\n', next: undefined });
  });
});

describe('columnMetadata', () => {
  it.each([
    ['numeric(12,2)', 1700, ((12 << 16) | 2) + 4, 12, 2],
    ['varchar(256)', 1043, 260, 256, 0],
    ['int8', 20, -1, 19, 0],
    ['float8', 701, -1, 17, 17],
    ['text', 25, -1, 0, 0],
  ])('%s', (_name, dataTypeID, dataTypeModifier, precision, scale) => {
    const meta = columnMetadata({ name: 'c', dataTypeID, dataTypeModifier, tableID: 0, columnID: 0 }, 't', {
      schema: 'public',
      table: 'sales',
    });
    expect(meta).toMatchObject({
      precision,
      scale,
      schemaName: 'public',
      tableName: 'sales',
      label: 'c',
      length: 0,
    });
  });
});
