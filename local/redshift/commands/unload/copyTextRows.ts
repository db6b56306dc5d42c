import { StringDecoder } from 'node:string_decoder';

export type Row = (string | null)[];

const UNESCAPE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Decodes one field of PostgreSQL's COPY text format (`\N` is NULL; backslash escapes). */
export function decodeCopyField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\([0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/g, (_, e: string) => {
    const simple = UNESCAPE[e];
    if (simple !== undefined) return simple;
    if (e[0] === 'x' && e.length > 1) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
    return e;
  });
}

/**
 * Incremental parser of `COPY ... TO STDOUT` text output: feed it chunks as they arrive, get whole
 * rows back. Rows never contain a raw newline (PostgreSQL escapes it), so lines are rows.
 */
export class CopyTextRowParser {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  push(chunk: Buffer): Row[] {
    const text = this.rest + this.decoder.write(chunk);
    const rows: Row[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      rows.push(this.parseLine(text.slice(start, nl)));
      start = nl + 1;
    }
    this.rest = text.slice(start);
    return rows;
  }

  end(): Row[] {
    const text = this.rest + this.decoder.end();
    this.rest = '';
    return text === '' ? [] : [this.parseLine(text)];
  }

  private parseLine(line: string): Row {
    const parts = line.split('\t');
    const row: Row = new Array(parts.length);
    for (let i = 0; i < parts.length; i++) row[i] = decodeCopyField(parts[i] as string);
    return row;
  }
}
