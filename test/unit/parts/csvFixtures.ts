import { seededRandom } from '../../helpers/seededRandom.ts';

/** Seeded, so that a failure reproduces. */
export const random = seededRandom;

// Pieces that exercise every branch: numbers canonical or not, booleans, NULL strings, JSON
// escapes, multibyte and broken UTF-8, U+2028, quotes, delimiters, CR and LF.
const PLAIN = [
  '0',
  '7',
  '-0',
  '-12',
  '007',
  '+5',
  ' 5',
  '1e3',
  '12.50',
  '123456789012345',
  '1234567890123456',
  '9007199254740993',
  't',
  'true',
  '1',
  'f',
  'false',
  'TRUE',
  '\\N',
  'NULL',
  'abc',
  'Hamlet',
  '\\',
  '\t',
  '\x01',
  '\x7f',
  'é',
  'ñandú',
  '\u2028',
  '😀',
  '\xff',
  '',
].map((s) => (s === '\xff' ? Buffer.from([0xff]) : Buffer.from(s)));
const BROKEN = [Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80])];
const SPECIAL = ['"', '""', ',', '\n', '\r\n', '\r'].map((s) => Buffer.from(s));

export function randomCsv(next: () => number, columns: number, records: number): Buffer {
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)] as T;
  const parts: Buffer[] = [];
  for (let r = 0; r < records; r++) {
    const roll = next();
    if (roll < 0.05) {
      // Garbage: any pieces, quotes and newlines included.
      for (let k = 0; k < 6; k++) parts.push(pick([...PLAIN, ...BROKEN, ...SPECIAL]));
      parts.push(Buffer.from('\n'));
      continue;
    }
    const n = roll < 0.1 ? columns + 1 : columns;
    for (let c = 0; c < n; c++) {
      if (c > 0) parts.push(Buffer.from(','));
      const pieces = Array.from({ length: Math.floor(next() * 3) }, () =>
        pick(next() < 0.1 ? BROKEN : PLAIN),
      );
      if (next() < 0.3) {
        const inner = [...pieces, ...(next() < 0.3 ? [pick(SPECIAL)] : [])].map((p) =>
          Buffer.from(p.toString('latin1').replaceAll('"', '""'), 'latin1'),
        );
        parts.push(Buffer.from('"'), ...inner, Buffer.from('"'));
      } else {
        parts.push(...pieces);
      }
    }
    parts.push(Buffer.from(next() < 0.2 ? '\r\n' : '\n'));
  }
  if (next() < 0.5) parts.pop(); // a last record without a newline
  return Buffer.concat(parts);
}
