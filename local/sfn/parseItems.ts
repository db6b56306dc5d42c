import type { Json, JsonObject } from './loadDefinition.ts';

/** The error every ItemReader problem surfaces as, like on AWS. */
export class ItemReaderFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.ItemReaderFailed';
  }
}

const delimiters: Record<string, string> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };

export interface ReaderConfig {
  InputType?: string;
  CSVHeaderLocation?: string;
  CSVHeaders?: string[];
  CSVDelimiter?: string;
}

/**
 * Parses an ItemReader source object into items: JSON (an array), JSONL (one value a line) or
 * CSV (rows as objects keyed by the header, values as strings, as Step Functions gives them).
 */
export function parseItems(body: string, config: ReaderConfig, source: string): Json[] {
  const type = config.InputType ?? 'JSON';
  if (type === 'JSON') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw new ItemReaderFailedError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new ItemReaderFailedError(`${source} must hold a JSON array of items`);
    return parsed as Json[];
  }
  if (type === 'JSONL') {
    const items: Json[] = [];
    const lines = body.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] ?? '').trim();
      if (line === '') continue;
      try {
        items.push(JSON.parse(line) as Json);
      } catch (error) {
        throw new ItemReaderFailedError(
          `${source} line ${i + 1} is not valid JSON: ${(error as Error).message}`,
        );
      }
    }
    return items;
  }
  if (type === 'CSV') return parseCsvItems(body, config, source);
  throw new ItemReaderFailedError(
    `ReaderConfig.InputType ${type} is not supported by the local runner (JSON, JSONL and CSV are); ${source}`,
  );
}

function parseCsvItems(body: string, config: ReaderConfig, source: string): Json[] {
  const delimiterName = config.CSVDelimiter ?? 'COMMA';
  const delimiter = delimiters[delimiterName];
  if (delimiter === undefined)
    throw new ItemReaderFailedError(
      `CSVDelimiter ${delimiterName} is not one of ${Object.keys(delimiters).join(', ')}`,
    );
  const rows = parseCsv(body, delimiter, source);
  let headers: string[];
  if ((config.CSVHeaderLocation ?? 'FIRST_ROW') === 'GIVEN') {
    if (!Array.isArray(config.CSVHeaders) || config.CSVHeaders.length === 0) {
      throw new ItemReaderFailedError('CSVHeaderLocation GIVEN needs ReaderConfig.CSVHeaders');
    }
    headers = config.CSVHeaders;
  } else {
    const first = rows.shift();
    if (first === undefined) return [];
    headers = first.fields;
  }
  return rows.map(({ fields, line }) => {
    if (fields.length > headers.length) {
      throw new ItemReaderFailedError(
        `${source} line ${line} has ${fields.length} fields but the header has ${headers.length}`,
      );
    }
    const item: JsonObject = {};
    headers.forEach((header, i) => {
      item[header] = fields[i] ?? '';
    });
    return item;
  });
}

/** RFC 4180 CSV: quoted fields may hold delimiters, quotes ("") and newlines. Blank lines are skipped. */
export function parseCsv(
  text: string,
  delimiter: string,
  source: string,
): { fields: string[]; line: number }[] {
  const rows: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  const endRow = () => {
    if (fieldStarted || fields.length > 0) {
      fields.push(field);
      rows.push({ fields, line: rowLine });
    }
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted)
    throw new ItemReaderFailedError(`${source}: unterminated quoted field starting on line ${rowLine}`);
  endRow();
  return rows;
}

export interface Batch {
  items: Json[];
  /** Index of the batch's first item in the item list. */
  first: number;
}

/**
 * Groups items the way ItemBatcher does: at most `maxItems` per batch and at most `maxBytes` of
 * serialized `{"Items":[...],"BatchInput":...}` (an item too large on its own gets its own batch).
 */
export function batchItems(
  items: readonly Json[],
  maxItems: number | undefined,
  maxBytes: number | undefined,
  batchInput: Json | undefined,
): Batch[] {
  const batches: Batch[] = [];
  const overhead = Buffer.byteLength(JSON.stringify({ Items: [], BatchInput: batchInput ?? null }));
  let current: Json[] = [];
  let first = 0;
  let bytes = overhead;
  items.forEach((item, index) => {
    const itemBytes = Buffer.byteLength(JSON.stringify(item));
    const full =
      current.length > 0 &&
      ((maxItems !== undefined && current.length >= maxItems) ||
        (maxBytes !== undefined && bytes + itemBytes + 1 > maxBytes));
    if (full) {
      batches.push({ items: current, first });
      current = [];
      first = index;
      bytes = overhead;
    }
    bytes += itemBytes + (current.length > 0 ? 1 : 0);
    current.push(item);
  });
  if (current.length > 0) batches.push({ items: current, first });
  return batches;
}
