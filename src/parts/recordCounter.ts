/**
 * Counts the records in the decompressed bytes of one UNLOAD part without decoding text.
 * Record boundaries depend on the format: CSV newlines inside quotes belong to the field, text
 * output with ESCAPE has `\`-escaped newlines inside fields, JSON lines never contain a raw one.
 */
export interface RecordCounter {
  write(chunk: Uint8Array): void;
  /** Total records, counting a last line without a newline. */
  end(): number;
}

const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function createRecordCounter(
  format: 'csv' | 'text' | 'json',
  options: { escape?: boolean } = {},
): RecordCounter {
  let records = 0;
  let pending = false;
  if (format === 'csv') {
    let inQuotes = false;
    return {
      // Jumps between quotes and line feeds with indexOf (memchr) instead of a byte loop: outside
      // quotes every LF ends a record; "" inside a quoted field toggles twice, and the parity is
      // all a counter needs.
      write(chunk) {
        const n = chunk.length;
        let i = 0;
        while (i < n) {
          const q = chunk.indexOf(QUOTE, i);
          if (inQuotes) {
            pending = true;
            if (q === -1) return;
            inQuotes = false;
            i = q + 1;
            continue;
          }
          const end = q === -1 ? n : q;
          let from = i;
          for (;;) {
            const at = chunk.indexOf(LF, from);
            if (at === -1 || at >= end) break;
            records++;
            from = at + 1;
          }
          if (from < end) pending = true;
          else if (end > i) pending = false;
          if (q === -1) return;
          inQuotes = true;
          pending = true;
          i = q + 1;
        }
      },
      end: () => records + (pending ? 1 : 0),
    };
  }
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
