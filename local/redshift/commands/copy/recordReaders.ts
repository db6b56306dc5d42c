import type { FixedWidthField } from '../parser/ast.ts';

/** One record of a source file: the fields as text (null = the format itself said NULL). */
export interface SourceRecord {
  /** 1-based line where the record starts in its file. */
  line: number;
  raw: string;
  fields: (string | null)[];
  /** Set when the record could not even be split into fields. */
  error?: { code: number; reason: string } | undefined;
}

/** An incremental reader: text in (any chunking), records out. */
export interface RecordReader {
  push(text: string): SourceRecord[];
  end(): SourceRecord[];
}

/** Splits text into lines, remembering line numbers across chunks; skips the first `skip` lines. */
class LineSplitter {
  private rest = '';
  private lineNo = 0;
  constructor(private skip: number) {}

  push(text: string, out: (line: string, no: number) => void): void {
    const t = this.rest + text;
    let start = 0;
    for (;;) {
      const nl = t.indexOf('\n', start);
      if (nl === -1) break;
      this.emit(t.slice(start, nl), out);
      start = nl + 1;
    }
    this.rest = t.slice(start);
  }

  end(out: (line: string, no: number) => void): void {
    if (this.rest !== '') this.emit(this.rest, out);
    this.rest = '';
  }

  private emit(line: string, out: (line: string, no: number) => void) {
    this.lineNo++;
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    out(line, this.lineNo);
  }
}

export interface DelimitedReaderOptions {
  delimiter: string;
  escape: boolean;
  removeQuotes: boolean;
  ignoreHeader: number;
  ignoreBlankLines: boolean;
  /** With ESCAPE, a field that is exactly the NULL AS string before unescaping is NULL (`\N`). */
  nullAs: string;
}

/**
 * Redshift's default text format: one record per line, fields split on the delimiter. With
 * ESCAPE a backslash makes the next character literal (including a newline, which continues the
 * record); with REMOVEQUOTES surrounding double quotes are removed and delimiters inside kept.
 */
export function delimitedReader(o: DelimitedReaderOptions): RecordReader {
  const lines = new LineSplitter(o.ignoreHeader);
  let pending: { text: string; line: number } | undefined;
  let out: SourceRecord[] = [];

  const finish = (text: string, line: number) => {
    if (text === '' && o.ignoreBlankLines) return;
    out.push({ line, raw: text, fields: splitFields(text, o) });
  };

  const onLine = (line: string, no: number) => {
    if (pending) {
      pending.text += `\n${line}`;
    } else pending = { text: line, line: no };
    // An escaped newline: the line ends in an odd number of backslashes.
    if (o.escape) {
      let n = 0;
      for (let i = pending.text.length - 1; i >= 0 && pending.text[i] === '\\'; i--) n++;
      if (n % 2 === 1) return;
    }
    finish(pending.text, pending.line);
    pending = undefined;
  };

  return {
    push(text) {
      out = [];
      lines.push(text, onLine);
      return out;
    },
    end() {
      out = [];
      lines.end(onLine);
      if (pending) finish(pending.text, pending.line);
      pending = undefined;
      return out;
    },
  };
}

function splitFields(text: string, o: DelimitedReaderOptions): (string | null)[] {
  if (!o.escape && !o.removeQuotes) return text.split(o.delimiter);
  const fields: (string | null)[] = [];
  let cur = '';
  let rawStart = 0;
  const push = (end: number) => {
    fields.push(o.escape && text.slice(rawStart, end) === o.nullAs ? null : cur);
    rawStart = end + 1;
  };
  let inQuotes = false;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (o.escape && c === '\\' && i + 1 < text.length) {
      cur += text[i + 1];
      i++;
      fieldStart = false;
      continue;
    }
    if (o.removeQuotes && c === '"' && (inQuotes || fieldStart)) {
      inQuotes = !inQuotes;
      fieldStart = false;
      continue;
    }
    if (c === o.delimiter && !inQuotes) {
      push(i);
      cur = '';
      fieldStart = true;
      continue;
    }
    cur += c;
    fieldStart = false;
  }
  push(text.length);
  return fields;
}

/** RFC 4180 CSV with a configurable quote: quoted fields may hold delimiters, quotes (doubled) and newlines. */
export function csvReader(o: {
  delimiter: string;
  quote: string;
  ignoreHeader: number;
  ignoreBlankLines: boolean;
}): RecordReader {
  let line = 1;
  let recStart = 1;
  let field = '';
  let fields: string[] = [];
  let raw = '';
  let inQuotes = false;
  let quoteSeen = false;
  let skip = o.ignoreHeader;
  let out: SourceRecord[] = [];

  const endRecord = () => {
    fields.push(field);
    const rawLine = raw;
    const empty = fields.length === 1 && fields[0] === '' && !quoteSeen;
    if (skip > 0) skip--;
    else if (!(empty && o.ignoreBlankLines)) out.push({ line: recStart, raw: rawLine, fields });
    fields = [];
    field = '';
    raw = '';
    quoteSeen = false;
  };

  const consume = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (inQuotes) {
        raw += c;
        if (c === o.quote) {
          // A doubled quote is a literal quote; decided when the next character arrives.
          inQuotes = false;
          pendingQuote = true;
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (pendingQuote) {
        pendingQuote = false;
        if (c === o.quote) {
          raw += c;
          field += c;
          inQuotes = true;
          continue;
        }
      }
      if (c === '\n') {
        if (raw.endsWith('\r')) {
          raw = raw.slice(0, -1);
          if (field.endsWith('\r')) field = field.slice(0, -1);
        }
        endRecord();
        line++;
        recStart = line;
        continue;
      }
      raw += c;
      if (c === o.delimiter) {
        fields.push(field);
        field = '';
      } else if (c === o.quote) {
        inQuotes = true;
        quoteSeen = true;
      } else field += c;
    }
  };
  let pendingQuote = false;

  return {
    push(text) {
      out = [];
      consume(text);
      return out;
    },
    end() {
      out = [];
      pendingQuote = false;
      if (inQuotes) {
        out.push({
          line: recStart,
          raw,
          fields: [],
          error: { code: 1216, reason: 'Unterminated quoted field at end of file' },
        });
      } else if (raw !== '' || fields.length > 0 || field !== '') endRecord();
      return out;
    },
  };
}

/** FIXEDWIDTH: fields cut at the spec's widths (in characters), trailing blanks dropped. */
export function fixedWidthReader(
  spec: FixedWidthField[],
  ignoreHeader: number,
  ignoreBlankLines: boolean,
): RecordReader {
  const lines = new LineSplitter(ignoreHeader);
  const total = spec.reduce((s, f) => s + f.width, 0);
  let out: SourceRecord[] = [];
  const onLine = (line: string, no: number) => {
    if (line === '' && ignoreBlankLines) return;
    const chars = [...line];
    if (chars.length < total) {
      // Shorter lines leave the last fields short; FILLRECORD decides downstream.
    }
    const fields: string[] = [];
    let pos = 0;
    for (const f of spec) {
      if (pos >= chars.length) break;
      fields.push(
        chars
          .slice(pos, pos + f.width)
          .join('')
          .replace(/ +$/, ''),
      );
      pos += f.width;
    }
    out.push({ line: no, raw: line, fields });
  };
  return {
    push(text) {
      out = [];
      lines.push(text, onLine);
      return out;
    },
    end() {
      out = [];
      lines.end(onLine);
      return out;
    },
  };
}

/**
 * JSON source: a stream of top-level JSON objects (or arrays), however laid out over lines.
 * `extract` maps one parsed document to the fields of the load columns.
 */
export function jsonReader(extract: (doc: unknown) => (string | null)[]): RecordReader {
  let buf = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let startLine = 1;
  let out: SourceRecord[] = [];

  const consume = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (depth === 0) {
        if (c === '\n') line++;
        if (c === '{' || c === '[') {
          depth = 1;
          buf = c;
          startLine = line;
        } else if (!/\s/.test(c)) {
          out.push({
            line,
            raw: c,
            fields: [],
            error: { code: 1224, reason: `Invalid JSON: unexpected '${c}' outside an object` },
          });
        }
        continue;
      }
      buf += c;
      if (c === '\n') line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          const raw = buf;
          buf = '';
          try {
            out.push({ line: startLine, raw, fields: extract(JSON.parse(raw)) });
          } catch (err) {
            out.push({
              line: startLine,
              raw,
              fields: [],
              error: { code: 1224, reason: `Invalid JSON: ${(err as Error).message}` },
            });
          }
        }
      }
    }
  };
  return {
    push(text) {
      out = [];
      consume(text);
      return out;
    },
    end() {
      out = [];
      if (depth > 0)
        out.push({
          line: startLine,
          raw: buf,
          fields: [],
          error: { code: 1224, reason: 'Invalid JSON: unterminated object at end of file' },
        });
      buf = '';
      depth = 0;
      return out;
    },
  };
}

/** JSON value -> field text: strings as they are, objects/arrays as JSON, null stays null. */
export function jsonFieldText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export { evalJsonPath } from '../../../../src/load/jsonPaths.ts';
