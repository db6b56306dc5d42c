import { CsvScanner } from '../csv/csvScanner.ts';
import { UNLOAD_QUOTE } from './jsonlWriter.ts';

/**
 * Counts the records in the decompressed bytes of one UNLOAD part without decoding text.
 * Record boundaries depend on the format: CSV records are found by the one CSV scanner
 * (src/csv/csvScanner.ts: newlines inside quoted fields belong to the field), text output with
 * ESCAPE has `\`-escaped newlines inside fields, JSON lines never contain a raw one.
 */
export interface RecordCounter {
  write(chunk: Uint8Array): void;
  /** Total records, counting a last line without a newline. */
  end(): number;
}

const LF = 0x0a;
const BACKSLASH = 0x5c;

export function createRecordCounter(
  format: 'csv' | 'text' | 'json',
  options: { escape?: boolean | undefined; delimiter?: string | undefined } = {},
): RecordCounter {
  if (format === 'csv') return csvRecordCounter(options.delimiter ?? ',');
  let records = 0;
  let pending = false;
  if (format === 'text' && options.escape === true) {
    let escaped = false;
    return {
      write(chunk) {
        for (let i = 0; i < chunk.length; i++) {
          const b = chunk[i];
          if (b === LF && !escaped) {
            records++;
            pending = false;
            continue;
          }
          escaped = b === BACKSLASH ? !escaped : false;
          pending = true;
        }
      },
      end: () => records + (pending ? 1 : 0),
    };
  }
  return {
    write(chunk) {
      let from = 0;
      for (;;) {
        const at = chunk.indexOf(LF, from);
        if (at === -1) break;
        records++;
        from = at + 1;
      }
      if (from < chunk.length) pending = true;
      else if (chunk.length > 0) pending = false;
    },
    end: () => records + (pending ? 1 : 0),
  };
}

/**
 * CSV records, as the scanner ends them. The bytes of a record that runs past a chunk are kept
 * and scanned again with the next chunk; whatever is left at the end is one record (the last
 * line without a newline, or a quoted field left open, which the manifest's count then rejects).
 */
function csvRecordCounter(delimiter: string): RecordCounter {
  const scanner = new CsvScanner(delimiter, UNLOAD_QUOTE);
  let records = 0;
  let carry: Buffer | undefined;
  return {
    write(chunk) {
      let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let pos = 0;
      if (carry !== undefined) {
        // The carried record most often ends at the chunk's first LF: it is finished on a copy of
        // its bytes and those, and the chunk is scanned where it is, not copied after them.
        const lf = buf.indexOf(LF);
        const head = Buffer.concat([carry, lf === -1 ? buf : buf.subarray(0, lf + 1)]);
        const finished = scanner.skip(head, 0, head.length, false);
        if (finished > 0) {
          records += finished;
          pos = scanner.skippedTo - carry.length;
        } else if (lf === -1) {
          carry = head;
          return;
        } else {
          buf = Buffer.concat([carry, buf]);
        }
      }
      records += scanner.skip(buf, pos, buf.length, false);
      const at = scanner.skippedTo;
      carry = at < buf.length ? buf.subarray(at) : undefined;
    },
    end: () => records + (carry !== undefined ? 1 : 0),
  };
}
