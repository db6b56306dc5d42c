import { describe, expect, it } from 'vitest';
import { CsvRecordSplitter } from '../../../src/parts/csvRecords.ts';
import { createJsonlConverter } from '../../../src/parts/jsonlConverter.ts';
import { createJsonlWriter } from '../../../src/parts/jsonlWriter.ts';
import { random, randomCsv, referenceRecords } from './csvFixtures.ts';

/** The reference: JSON.stringify of each row, or the error; as bytes (latin1), so broken UTF-8 shows. */
function reference(data: Buffer, options: Parameters<typeof createJsonlConverter>[0]): string {
  const convert = createJsonlConverter(options);
  let out = '';
  try {
    referenceRecords(data).forEach((fields, i) => {
      out += convert(fields, i + 1);
    });
  } catch (error) {
    out += `ERROR ${(error as Error).message}`;
  }
  return Buffer.from(out).toString('latin1');
}

function written(
  data: Buffer,
  options: Parameters<typeof createJsonlConverter>[0],
  next: () => number,
): string {
  const splitter = new CsvRecordSplitter(',');
  const writer = createJsonlWriter(options);
  const out: Buffer[] = [];
  let n = 0;
  const sink = (d: Buffer, bounds: Int32Array, count: number) => writer.write(d, bounds, count, ++n);
  try {
    for (let i = 0; i < data.length; ) {
      const size = 1 + Math.floor(next() * 40);
      splitter.pushRanges(data.subarray(i, i + size), sink);
      out.push(writer.take() ?? Buffer.alloc(0));
      i += size;
    }
    splitter.endRanges(sink);
    out.push(writer.take() ?? Buffer.alloc(0));
  } catch (error) {
    out.push(writer.take() ?? Buffer.alloc(0));
    out.push(Buffer.from(`ERROR ${(error as Error).message}`));
  }
  return Buffer.concat(out).toString('latin1');
}

const SCHEMAS = {
  typed: [
    { name: 'id', type: 'integer' },
    { name: 'price', type: 'double precision' },
    { name: 'ok', type: 'boolean' },
    { name: 'name', type: 'character varying' },
  ],
  // Names JSON.stringify reorders or drops: the writer falls back to the converter per row.
  reordered: [
    { name: 'b', type: 'bigint' },
    { name: '1', type: 'character varying' },
    { name: 'b', type: 'bool' },
    { name: '__proto__', type: 'character varying' },
  ],
  quotedNames: [
    { name: 'say "hi"', type: 'int' },
    { name: 'é', type: 'real' },
    { name: 'n\\m', type: 'numeric' },
    { name: 'x', type: 'smallint' },
  ],
};

describe('Function: createJsonlWriter', () => {
  it.each(
    Object.keys(SCHEMAS).flatMap((schema) =>
      ['', '\\N', 'NULL', 'ñ'].map((nullAs) => [schema, nullAs] as const),
    ),
  )('writes the bytes JSON.stringify writes, schema %s, NULL as %j, on random CSV', (schema, nullAs) => {
    const options = { columns: SCHEMAS[schema as keyof typeof SCHEMAS], nullAs, label: 's3://b/part_00' };
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed);
      const data = randomCsv(next, 4, 40);
      expect(written(data, options, next), `seed ${seed}: ${JSON.stringify(data.toString('latin1'))}`).toBe(
        reference(data, options),
      );
    }
  });

  it('copies plain fields and canonical integers as they are, and converts the rest', () => {
    const options = { columns: SCHEMAS.typed, label: 's3://b/part_00' };
    const data = Buffer.from('007,12.50,t,"say ""hi"""\n-5,1e3,0,ñandú\n9007199254740993,,1,\n');
    expect(
      Buffer.from(
        written(data, options, () => 0.5),
        'latin1',
      ).toString(),
    ).toBe(
      '{"id":7,"price":12.5,"ok":true,"name":"say \\"hi\\""}\n' +
        '{"id":-5,"price":1000,"ok":false,"name":"ñandú"}\n' +
        '{"id":"9007199254740993","price":null,"ok":true,"name":null}\n',
    );
  });

  it('names the part and the record when the field count disagrees with the schema', () => {
    const options = { columns: SCHEMAS.typed, label: 's3://b/part_00' };
    expect(written(Buffer.from('1,2,t,a\n1,2,t\n'), options, () => 0.5)).toBe(
      '{"id":1,"price":2,"ok":true,"name":"a"}\n' +
        "ERROR s3://b/part_00, record 2: 3 fields but the manifest schema has 4 columns (id, price, ok, name). Check the UNLOAD's delimiter and quoting.",
    );
  });
});
