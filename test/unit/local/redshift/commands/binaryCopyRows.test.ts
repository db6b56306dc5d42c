import { describe, expect, it } from 'vitest';
import { BinaryCopyParser } from '../../../../../local/redshift/commands/unload/binaryCopyRows.ts';

/** PostgreSQL's binary COPY framing of `rows` (null = NULL field), with the trailer. */
function binaryCopy(rows: (Buffer | null)[][]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length);
    parts.push(count);
    for (const field of row) {
      const len = Buffer.alloc(4);
      len.writeInt32BE(field === null ? -1 : field.length);
      parts.push(len, ...(field === null ? [] : [field]));
    }
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

/** The rows the parser hands over for `bytes` cut at `cuts`, as hex (null = NULL). */
function parse(bytes: Buffer, cuts: number[], columns = 3): { rows: (string | null)[][]; complete: boolean } {
  const parser = new BinaryCopyParser(columns);
  const rows: (string | null)[][] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    parser.push(bytes.subarray(from, to), (b, starts, lengths) => {
      rows.push(
        Array.from(lengths, (n, i) =>
          n < 0 ? null : b.toString('hex', starts[i] as number, (starts[i] as number) + n),
        ),
      );
    });
    from = to;
  }
  return { rows, complete: parser.complete };
}

describe('BinaryCopyParser', () => {
  const rows = [
    [Buffer.from('a'), null, Buffer.alloc(0)],
    [Buffer.alloc(300, 7), Buffer.from('ünï'), null],
    [null, null, null],
    [Buffer.from([0, 1, 2, 3]), Buffer.alloc(70000, 9), Buffer.from('z')],
  ];
  const bytes = binaryCopy(rows);
  const expected = rows.map((r) => r.map((f) => (f === null ? null : f.toString('hex'))));

  it('hands over the same rows however the stream is cut: one byte at a time, at every split, in rows larger than a chunk', () => {
    expect(parse(bytes, [])).toEqual({ rows: expected, complete: true });
    expect(
      parse(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual({
      rows: expected,
      complete: true,
    });
    for (let cut = 1; cut < bytes.length; cut += cut < 400 ? 1 : 997)
      expect(parse(bytes, [cut]), `cut at ${cut}`).toEqual({ rows: expected, complete: true });
    for (const size of [2, 7, 64, 4096, 65536])
      expect(
        parse(
          bytes,
          Array.from({ length: Math.floor((bytes.length - 1) / size) }, (_, i) => (i + 1) * size),
        ),
        `chunks of ${size}`,
      ).toEqual({ rows: expected, complete: true });
  });

  it('is not complete when the output stops inside a row or before the trailer, and names a wrong field count', () => {
    expect(parse(bytes.subarray(0, bytes.length - 1), [100]).complete).toBe(false);
    expect(parse(bytes.subarray(0, 200), [50]).complete).toBe(false);
    expect(() => parse(bytes, [30], 2)).toThrow('COPY BINARY tuple has 3 fields, expected 2');
  });
});
