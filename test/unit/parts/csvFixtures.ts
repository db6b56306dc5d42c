import type { CsvField } from '../../../src/csv/csvScanner.ts';
import { seededRandom } from '../../helpers/seededRandom.ts';

/**
 * The splitter as it was before the byte-range fast path (a byte loop over quote parity, fields
 * decoded piece by piece): the reference the new scanner and writer must match byte for byte.
 */
export function referenceRecords(data: Buffer, delimiter = ','): CsvField[][] {
  const records: CsvField[][] = [];
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x22) inQuotes = !inQuotes;
    else if (data[i] === 0x0a && !inQuotes) {
      records.push(referenceFields(data, start, i, delimiter.charCodeAt(0)));
      start = i + 1;
    }
  }
  if (start < data.length) records.push(referenceFields(data, start, data.length, delimiter.charCodeAt(0)));
  return records;
}

function referenceFields(data: Buffer, start: number, end: number, delimiter: number): CsvField[] {
  let stop = end;
  if (stop > start && data[stop - 1] === 0x0d) stop--;
  const fields: CsvField[] = [];
  let i = start;
  for (;;) {
    if (i < stop && data[i] === 0x22) {
      let j = i + 1;
      const pieces: string[] = [];
      let from = j;
      while (j < stop) {
        if (data[j] === 0x22) {
          if (j + 1 < stop && data[j + 1] === 0x22) {
            pieces.push(data.toString('utf8', from, j + 1));
            j += 2;
            from = j;
            continue;
          }
          break;
        }
        j++;
      }
      pieces.push(data.toString('utf8', from, j));
      fields.push({ value: pieces.join(''), quoted: true });
      i = j + 1;
      if (i >= stop) break;
      i++;
      if (i === stop) {
        fields.push({ value: '', quoted: false });
        break;
      }
      continue;
    }
    let j = i;
    while (j < stop && data[j] !== delimiter) j++;
    fields.push({ value: data.toString('utf8', i, j), quoted: false });
    if (j >= stop) break;
    i = j + 1;
    if (i === stop) {
      fields.push({ value: '', quoted: false });
      break;
    }
  }
  return fields;
}

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
