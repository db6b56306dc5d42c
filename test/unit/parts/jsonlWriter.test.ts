import { describe, expect, it } from 'vitest';
import { CsvRecordReader, type RecordSink } from '../../../src/csv/csvRecords.ts';
import { createJsonlConverter } from '../../../src/parts/jsonlConverter.ts';
import { createJsonlWriter } from '../../../src/parts/jsonlWriter.ts';
import { copyCsvReference } from '../csv/copyCsvReference.ts';
import { random, randomCsv } from './csvFixtures.ts';

/**
 * The reference: JSON.stringify of each row as the character-by-character COPY reader splits the
 * text, or the error; as bytes (latin1), so broken UTF-8 shows.
 */
function reference(data: Buffer, options: Parameters<typeof createJsonlConverter>[0]): string {
  const convert = createJsonlConverter(options);
  let out = '';
  let n = 0;
  try {
    for (const { fields } of copyCsvReference(data.toString('utf8'), { delimiter: ',', quote: '"' })) {
      out += convert(fields, ++n);
    }
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
  const reader = new CsvRecordReader({ delimiter: ',', quote: '"' });
  const writer = createJsonlWriter(options);
  const out: Buffer[] = [];
  let n = 0;
  const sink: RecordSink = (d, record) => writer.write(d, record, ++n);
  try {
    for (let i = 0; i < data.length; ) {
      const size = 1 + Math.floor(next() * 40);
      reader.pushRanges(data.subarray(i, i + size), sink);
      out.push(writer.take() ?? Buffer.alloc(0));
      i += size;
    }
    reader.endRanges(sink);
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
