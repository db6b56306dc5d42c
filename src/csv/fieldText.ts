import { DOUBLED, QUOTED } from './csvScanner.ts';
import type { CsvField, ScannedRecord } from './scannedRecord.ts';

/**
 * The value of a scanned field (quotes removed, `""` -> `"`, text after a closing quote
 * appended). Only for the few fields whose text is needed; `scannedFields` reads them all.
 */
export function fieldText(buf: Uint8Array, start: number, end: number, flags: number, quote: string): string {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if ((flags & QUOTED) === 0) return bytes.toString('utf8', start, end);
  const q = quote.charCodeAt(0);
  // Find the closing quote (the first quote not doubled), then the text after it.
  let p = start + 1;
  let close = end;
  while (p < end) {
    if (bytes[p] === q) {
      if (p + 1 < end && bytes[p + 1] === q) {
        p += 2;
        continue;
      }
      close = p;
      break;
    }
    p++;
  }
  const inner = bytes.toString('utf8', start + 1, close);
  const value = (flags & DOUBLED) !== 0 ? inner.split(quote + quote).join(quote) : inner;
  return close < end ? value + bytes.toString('utf8', close + 1, end) : value;
}

/**
 * Every field of the record the scanner just read in `buf`, as text. The common shapes (plain,
 * or quoted with nothing to unescape) are one slice each.
 */
export function scannedFields(buf: Buffer, r: ScannedRecord, quote: string): CsvField[] {
  const fields: CsvField[] = new Array(r.fieldCount);
  for (let i = 0; i < r.fieldCount; i++) {
    const start = r.starts[i] as number;
    const end = r.ends[i] as number;
    const flags = r.flags[i] as number;
    if (flags === 0) fields[i] = { value: buf.toString('utf8', start, end), quoted: false };
    else if (flags === QUOTED) fields[i] = { value: buf.toString('utf8', start + 1, end - 1), quoted: true };
    else fields[i] = { value: fieldText(buf, start, end, flags, quote), quoted: (flags & QUOTED) !== 0 };
  }
  return fields;
}
