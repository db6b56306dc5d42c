/**
 * Deterministic sales-like CSV (the TICKIT `sales` table joined with its event and date, as the
 * example export job unloads it): the same bytes on every machine, so runs compare.
 */
export const SALES_HEADER =
  'salesid,listid,sellerid,buyerid,eventid,eventname,caldate,qtysold,pricepaid,commission,saletime';

export const SALES_SCHEMA = [
  { name: 'salesid', type: 'integer' },
  { name: 'listid', type: 'integer' },
  { name: 'sellerid', type: 'integer' },
  { name: 'buyerid', type: 'integer' },
  { name: 'eventid', type: 'integer' },
  { name: 'eventname', type: 'character varying' },
  { name: 'caldate', type: 'date' },
  { name: 'qtysold', type: 'smallint' },
  { name: 'pricepaid', type: 'numeric' },
  { name: 'commission', type: 'numeric' },
  { name: 'saletime', type: 'timestamp without time zone' },
];

const EVENT_WORDS = [
  'Hamlet',
  'Macbeth',
  'The Phantom of the Opera',
  'Wicked',
  'Mamma Mia!',
  'Chicago',
  'Kings of Leon',
  'Coldplay',
  'Foo Fighters',
  'Linkin Park',
  'La Boheme',
  'Carmen',
  'Tosca',
  'Rigoletto',
  'Jersey Boys',
  'Spring Awakening',
  'Young Frankenstein',
  'The "Lion" King',
  'Grease, the Musical',
  'Legally Blonde',
];

/** A 32-bit xorshift: fast and reproducible from the seed. */
export function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The 1-based `salesid` row's line (with its newline), drawn from `next`. */
export function salesLine(salesid: number, next: () => number): string {
  const eventid = 1 + (next() % 8798);
  const eventname = csvField(EVENT_WORDS[eventid % EVENT_WORDS.length] ?? 'Event');
  const day = next() % 365;
  const month = 1 + Math.floor(day / 31);
  const dom = 1 + (day % 28);
  const qty = 1 + (next() % 8);
  const cents = 2000 + (next() % 150_000);
  const price = qty * cents;
  const commission = Math.round(price * 0.15);
  const money = (c: number) => `${Math.floor(c / 100)}.${pad2(c % 100)}`;
  const seconds = next() % 86_400;
  const time = `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}`;
  const date = `2008-${pad2(month)}-${pad2(dom)}`;
  return `${salesid},${1 + (next() % 235_000)},${1 + (next() % 49_990)},${1 + (next() % 49_990)},${eventid},${eventname},${date},${qty},${money(price)},${money(commission)},${date} ${time}\n`;
}

/**
 * Yields CSV text in chunks of about `chunkBytes` until `totalBytes` (the header line included)
 * are reached; the last line is whole, so the size is a little over. `onRow` counts rows.
 */
export function* salesCsvChunks(
  totalBytes: number,
  options: { seed?: number; chunkBytes?: number; firstId?: number } = {},
): Generator<string, number> {
  const next = xorshift32(options.seed ?? 20080101);
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  let written = SALES_HEADER.length + 1;
  let id = options.firstId ?? 1;
  let rows = 0;
  let chunk = `${SALES_HEADER}\n`;
  while (written < totalBytes) {
    const line = salesLine(id++, next);
    chunk += line;
    written += line.length;
    rows++;
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
  return rows;
}

/** Yields exactly `rows` data lines (no header) in chunks of about `chunkBytes`. */
export function* salesCsvRows(
  rows: number,
  options: { seed?: number; chunkBytes?: number } = {},
): Generator<string> {
  const next = xorshift32(options.seed ?? 20080101);
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  let chunk = '';
  for (let id = 1; id <= rows; id++) {
    chunk += salesLine(id, next);
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The `sales` table the e2e benchmark exports (columns as SALES_SCHEMA). */
export const SALES_TABLE_DDL = `CREATE TABLE sales (
  salesid integer NOT NULL, listid integer NOT NULL, sellerid integer NOT NULL, buyerid integer NOT NULL,
  eventid integer NOT NULL, eventname varchar(200), caldate date NOT NULL, qtysold smallint NOT NULL,
  pricepaid numeric(10,2), commission numeric(10,2), saletime timestamp)`;
