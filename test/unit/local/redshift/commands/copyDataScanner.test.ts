import { describe, expect, it } from 'vitest';
import type { RowSink } from '../../../../../local/redshift/commands/unload/copyDataScanner.ts';
import { CopyDataScanner } from '../../../../../local/redshift/commands/unload/copyDataScanner.ts';

function message(code: string, body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const header = Buffer.alloc(5);
  header[0] = code.charCodeAt(0);
  header.writeUInt32BE(b.length + 4, 1);
  return Buffer.concat([header, b]);
}

/** Collects rows as the scanner hands them over, checking each piece lies within the chunk. */
class Rows implements RowSink {
  rows: string[] = [];
  private current: Buffer[] = [];
  data(chunk: Buffer, start: number, end: number): void {
    expect(0 <= start && start <= end && end <= chunk.length).toBe(true);
    this.current.push(Buffer.from(chunk.subarray(start, end)));
  }
  endRow(): void {
    this.rows.push(Buffer.concat(this.current).toString());
    this.current = [];
  }
}

// What PostgreSQL sends for a COPY TO STDOUT of three rows, a notice in the middle, then the end.
const rows = ['1,plain\n', '2,"multi\nline, ""quoted"""\n', '3,ünïcødé\n'];
const copyData = Buffer.concat([
  message('H', Buffer.from([0, 0, 2, 0, 0, 0, 0])),
  message('d', rows[0] as string),
  message('d', rows[1] as string),
  message('N', 'SNOTICE\0Mhello\0\0'),
  message('S', 'TimeZone\0UTC\0'),
  message('d', rows[2] as string),
]);
const after = Buffer.concat([message('c', ''), message('C', 'COPY 3\0'), message('Z', 'I')]);
const stream = Buffer.concat([copyData, after]);

describe('CopyDataScanner', () => {
  it('hands over one row per CopyData message and stops at CopyDone, split anywhere', () => {
    for (const size of [1, 2, 3, 5, 7, 64, stream.length]) {
      const scanner = new CopyDataScanner();
      const sink = new Rows();
      let rest: Buffer | undefined;
      for (let i = 0; i < stream.length && rest === undefined; i += size) {
        const chunk = stream.subarray(i, i + size);
        const end = scanner.scan(chunk, sink);
        if (end >= 0) rest = Buffer.concat([chunk.subarray(end), stream.subarray(i + size)]);
      }
      expect(sink.rows).toEqual(rows);
      expect(scanner.ended).toBe(true);
      // Everything from CopyDone on is left to pg's own handler, byte for byte.
      expect(rest).toEqual(after);
    }
  });

  it('stops before an ErrorResponse without reading it, and can drop rows (no sink)', () => {
    const error = message('E', 'SERROR\0C57014\0Mcanceling statement due to user request\0\0');
    const bytes = Buffer.concat([copyData, error]);
    const scanner = new CopyDataScanner();
    expect(scanner.scan(bytes, undefined)).toBe(copyData.length);
    expect(scanner.ended).toBe(true);
  });

  it('a query failing at once: the first message is the error', () => {
    const scanner = new CopyDataScanner();
    expect(scanner.scan(message('E', 'SERROR\0\0'), new Rows())).toBe(0);
  });

  it('reports -1 while all of a chunk was copy data', () => {
    const scanner = new CopyDataScanner();
    const sink = new Rows();
    expect(scanner.scan(copyData, sink)).toBe(-1);
    expect(scanner.ended).toBe(false);
    expect(scanner.atMessageBoundary).toBe(true);
    expect(sink.rows).toEqual(rows);
  });
});
