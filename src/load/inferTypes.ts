/** Records read for type inference unless the caller says otherwise (the first N of the file). */
export const DEFAULT_SAMPLE_RECORDS = 1000;

/** A column with the Redshift type createTable would declare for it. */
export interface InferredColumn {
  name: string;
  type: string;
}

/**
 * What one value says about its column. Each kind widens into the next compatible one when
 * values disagree (int -> numeric -> double precision; anything else -> varchar).
 */
type Seen =
  | { kind: 'none' }
  | { kind: 'int'; min: bigint; max: bigint }
  | { kind: 'numeric'; whole: number; scale: number }
  | { kind: 'float' }
  | { kind: 'boolean' }
  | { kind: 'date' }
  | { kind: 'timestamp' }
  | { kind: 'timestamptz' }
  | { kind: 'super' }
  | { kind: 'varchar' };

const INT = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.\d*|\.\d+)$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/;
const BOOLEAN = /^(true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
const TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** A text value (a CSV field, or a JSON string when `numbers` is false). */
function seeText(v: string, numbers: boolean): Seen {
  if (numbers && INT.test(v)) {
    const n = BigInt(v);
    return { kind: 'int', min: n, max: n };
  }
  if (numbers && DECIMAL.test(v)) {
    const [whole = '', fraction = ''] = v.replace(/^[+-]/, '').split('.');
    return { kind: 'numeric', whole: whole.replace(/^0+/, '').length, scale: fraction.length };
  }
  if (numbers && FLOAT.test(v)) return { kind: 'float' };
  if (numbers && BOOLEAN.test(v)) return { kind: 'boolean' };
  if (DATE.test(v)) return { kind: 'date' };
  if (TIMESTAMPTZ.test(v)) return { kind: 'timestamptz' };
  if (TIMESTAMP.test(v)) return { kind: 'timestamp' };
  return { kind: 'varchar' };
}

/** A JSON value: numbers and booleans by their JSON type, strings never become numbers. */
function seeJson(v: unknown): Seen {
  if (v === null || v === undefined) return { kind: 'none' };
  if (typeof v === 'boolean') return { kind: 'boolean' };
  if (typeof v === 'number') return Number.isFinite(v) ? seeText(String(v), true) : { kind: 'float' };
  if (typeof v === 'string') return v === '' ? { kind: 'none' } : seeText(v, false);
  return { kind: 'super' };
}

function merge(a: Seen, b: Seen): Seen {
  if (a.kind === 'none') return b;
  if (b.kind === 'none') return a;
  if (a.kind === 'int' && b.kind === 'int')
    return {
      kind: 'int',
      min: [a.min, b.min].sort(byValue)[0] ?? a.min,
      max: [a.max, b.max].sort(byValue)[1] ?? a.max,
    };
  const asNumeric = (s: Seen) =>
    s.kind === 'int'
      ? { kind: 'numeric' as const, whole: digits(s), scale: 0 }
      : s.kind === 'numeric'
        ? s
        : undefined;
  const na = asNumeric(a);
  const nb = asNumeric(b);
  if (na !== undefined && nb !== undefined)
    return { kind: 'numeric', whole: Math.max(na.whole, nb.whole), scale: Math.max(na.scale, nb.scale) };
  const numeric = (s: Seen) => s.kind === 'int' || s.kind === 'numeric' || s.kind === 'float';
  if (numeric(a) && numeric(b)) return { kind: 'float' };
  if (a.kind === b.kind) return a;
  if ((a.kind === 'timestamp' || a.kind === 'date') && (b.kind === 'timestamp' || b.kind === 'date'))
    return { kind: 'timestamp' };
  return { kind: 'varchar' };
}

// Math.min/max do not take bigints.
function byValue(x: bigint, y: bigint): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function digits(s: { min: bigint; max: bigint }): number {
  const abs = (n: bigint) => (n < 0n ? -n : n);
  return Math.max(abs(s.min).toString().length, abs(s.max).toString().length);
}

const SMALLINT = 32767n;
const INTEGER = 2147483647n;
const BIGINT = 9223372036854775807n;

/** VARCHAR length for the longest value seen: room to grow, bounded by Redshift's 65535. */
export function varcharLength(longestBytes: number): number {
  let n = 16;
  while (n < longestBytes) n *= 2;
  return Math.min(n, 65535);
}

function redshiftType(s: Seen, longestBytes: number): string {
  switch (s.kind) {
    case 'int':
      if (s.min >= -SMALLINT - 1n && s.max <= SMALLINT) return 'smallint';
      if (s.min >= -INTEGER - 1n && s.max <= INTEGER) return 'integer';
      if (s.min >= -BIGINT - 1n && s.max <= BIGINT) return 'bigint';
      return digits(s) <= 38 ? `numeric(${digits(s)},0)` : `varchar(${varcharLength(longestBytes)})`;
    case 'numeric': {
      const precision = Math.max(1, s.whole + s.scale);
      return precision <= 38 ? `numeric(${precision},${s.scale})` : 'double precision';
    }
    case 'float':
      return 'double precision';
    case 'boolean':
    case 'date':
    case 'timestamp':
    case 'timestamptz':
    case 'super':
      return s.kind;
    default:
      return `varchar(${varcharLength(longestBytes)})`;
  }
}

function infer(
  names: readonly string[],
  values: (i: number) => Iterable<unknown>,
  see: (v: unknown) => Seen,
) {
  return names.map((name, i) => {
    let seen: Seen = { kind: 'none' };
    let longest = 0;
    for (const v of values(i)) {
      seen = merge(seen, see(v));
      if (typeof v === 'string') longest = Math.max(longest, Buffer.byteLength(v));
      else if (v !== null && v !== undefined)
        longest = Math.max(longest, Buffer.byteLength(JSON.stringify(v)));
    }
    return { name, type: redshiftType(seen, longest) };
  });
}

/**
 * Column types for CSV fields under `header`, from the first `limit` records. An empty field says
 * nothing (it loads as NULL); a column with no value at all becomes varchar(16).
 */
export function inferCsvTypes(
  header: readonly string[],
  records: readonly (readonly string[])[],
  limit = DEFAULT_SAMPLE_RECORDS,
): InferredColumn[] {
  const sample = records.slice(0, limit);
  return infer(
    header,
    (i) => sample.map((r) => r[i] ?? '').filter((v) => v !== ''),
    (v) => seeText(String(v), true),
  );
}

/**
 * Column types for JSON objects, columns in the order their keys first appear (matched by name,
 * as COPY's `json 'auto'` does), from the first `limit` records.
 */
export function inferJsonTypes(
  records: readonly Record<string, unknown>[],
  limit = DEFAULT_SAMPLE_RECORDS,
): InferredColumn[] {
  const sample = records.slice(0, limit);
  const names: string[] = [];
  const seenNames = new Set<string>();
  for (const r of sample) {
    for (const k of Object.keys(r)) {
      if (!seenNames.has(k)) {
        seenNames.add(k);
        names.push(k);
      }
    }
  }
  return infer(names, (i) => sample.map((r) => r[names[i] ?? '']), seeJson);
}
