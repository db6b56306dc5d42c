/**
 * A streaming CSV record splitter over bytes (RFC 4180 as Redshift writes it: `"` quotes, `""`
 * inside quotes, CRLF or LF). It yields each record's fields with a flag telling a quoted empty
 * string (`""`) from an unquoted empty field (NULL by default in UNLOAD output).
 */
export interface CsvField {
  value: string;
  quoted: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export class CsvRecordSplitter {
  private carry: Buffer = Buffer.alloc(0);
  private scanned = 0;
  private inQuotes = false;
  private readonly delimiter: number;

  constructor(delimiter = ',') {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds bytes; returns the records completed by them. */
  push(chunk: Uint8Array): CsvField[][] {
    const data = this.carry.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.carry, chunk]);
    const records: CsvField[][] = [];
    let start = 0;
    for (let i = this.scanned; i < data.length; i++) {
      const b = data[i];
      if (b === QUOTE) this.inQuotes = !this.inQuotes;
      else if (b === LF && !this.inQuotes) {
        records.push(this.fields(data, start, i));
        start = i + 1;
      }
    }
    this.carry = data.subarray(start);
    this.scanned = this.carry.length;
    return records;
  }

  /** The last record when the input does not end with a newline. */
  end(): CsvField[][] {
    if (this.carry.length === 0) return [];
    const last = this.fields(this.carry, 0, this.carry.length);
    this.carry = Buffer.alloc(0);
    this.scanned = 0;
    return [last];
  }

  private fields(data: Buffer, start: number, end: number): CsvField[] {
    let stop = end;
    if (stop > start && data[stop - 1] === CR) stop--;
    const fields: CsvField[] = [];
    let i = start;
    for (;;) {
      if (data[i] === QUOTE) {
        // Quoted field: up to the closing quote that is not doubled.
        let j = i + 1;
        const pieces: string[] = [];
        let from = j;
        while (j < stop) {
          if (data[j] === QUOTE) {
            if (data[j + 1] === QUOTE) {
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
        i = j + 1; // past the closing quote; a delimiter or the end follows
        if (i >= stop) break;
        i++;
        if (i > stop) break;
        if (i === stop) {
          fields.push({ value: '', quoted: false });
          break;
        }
        continue;
      }
      let j = i;
      while (j < stop && data[j] !== this.delimiter) j++;
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
}
