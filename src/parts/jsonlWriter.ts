import { isUtf8 } from 'node:buffer';
import { QUOTED, type ScannedRecord } from '../csv/csvScanner.ts';
import { fieldText, scannedFields } from '../csv/fieldText.ts';
import {
  type ColumnKind,
  columnKind,
  createJsonlConverter,
  fieldCountError,
  type JsonlOptions,
  jsonValue,
} from './jsonlConverter.ts';

export interface JsonlWriter {
  /** Appends the JSON line of one record scanned in `data` (src/csv/csvScanner.ts). */
  write(data: Buffer, record: ScannedRecord, recordNumber: number): void;
  /** The bytes written since the last call (undefined if none); the writer starts a new buffer. */
  take(): Buffer | undefined;
}

/** UNLOAD ... CSV always quotes with `"` (it has no QUOTE AS option, unlike COPY). */
export const UNLOAD_QUOTE = '"';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MIN_CAPACITY = 64 * 1024;
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');
const INT = 0;
const STRING = 1;
const BOOL = 2;
const FLOAT = 3;
const KIND_CODE: Record<ColumnKind, number> = { int: INT, string: STRING, bool: BOOL, float: FLOAT };

/**
 * Writes JSON lines straight from the CSV bytes, the same bytes as createJsonlConverter's
 * `JSON.stringify` of each row, without a string or an object per field: a field whose JSON is
 * its own bytes (plain text, a canonical safe integer, a boolean, a NULL) is copied, any other
 * goes through jsonValue. Column names that JSON.stringify would reorder or drop (array indexes,
 * duplicates, `__proto__`) or a non-ASCII NULL string use the converter for the whole row.
 */
export function createJsonlWriter(options: JsonlOptions): JsonlWriter {
  const nullAs = options.nullAs ?? '';
  const kinds: ColumnKind[] = options.columns.map((c) => columnKind(c.type));
  const names = options.columns.map((c) => c.name);
  const keys = names.map((name, i) => Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(name)}:`));
  const nullBytes = Buffer.from(nullAs);
  const byteExact =
    new Set(names).size === names.length &&
    !names.some((n) => n === '__proto__' || /^(0|[1-9]\d*)$/.test(n)) &&
    nullBytes.length === nullAs.length;
  const convert = byteExact ? undefined : createJsonlConverter(options);

  let out = Buffer.allocUnsafe(MIN_CAPACITY);
  let pos = 0;
  let lastSize = MIN_CAPACITY;

  const ensure = (bytes: number) => {
    if (pos + bytes <= out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(out.length * 2, pos + bytes));
    out.copy(grown, 0, 0, pos);
    out = grown;
  };
  const text = (s: string) => {
    ensure(3 * s.length);
    pos += out.write(s, pos);
  };

  const keysBytes = keys.reduce((sum, key) => sum + key.length, 0);
  const kindCodes = Uint8Array.from(kinds, (kind) => KIND_CODE[kind]);

  return {
    write(data, record, recordNumber) {
      const { fieldCount, starts, ends, flags } = record;
      if (convert !== undefined) {
        text(convert(scannedFields(data, record, UNLOAD_QUOTE), recordNumber));
        return;
      }
      if (fieldCount !== names.length) throw fieldCountError(options.label, recordNumber, fieldCount, names);
      // Room for every copied field at once: its bytes, quotes or `false`, the keys, `}` and LF.
      ensure(keysBytes + (record.end - record.start) + 7 * fieldCount + 2);
      for (let k = 0; k < fieldCount; k++) {
        const key = keys[k] as Buffer;
        out.set(key, pos);
        pos += key.length;
        const fieldFlags = flags[k] as number;
        // A plain field is its bytes; a quoted one without `""` or trailing text its inner bytes.
        let from = starts[k] as number;
        let to = ends[k] as number;
        if (fieldFlags === QUOTED) {
          from++;
          to--;
        } else if (fieldFlags === 0 && equals(data, from, to, nullBytes)) {
          pos = put(out, pos, NULL);
          continue;
        }
        const kind = kindCodes[k] as number;
        if (fieldFlags === 0 || fieldFlags === QUOTED) {
          if (kind === BOOL) {
            const yes =
              equals(data, from, to, TRUE) || isOneOf(data, from, to, 0x74) || isOneOf(data, from, to, 0x31);
            pos = put(out, pos, yes ? TRUE : FALSE);
            continue;
          }
          if (kind === INT) {
            const end = copyCanonicalSafeInteger(data, from, to, out, pos);
            if (end !== -1) {
              pos = end;
              continue;
            }
          }
          if (kind === STRING) {
            const end = copyPlainJson(data, from, to, out, pos);
            if (end !== -1) {
              pos = end;
              continue;
            }
          }
        }
        const value = jsonValue(
          kinds[k] as ColumnKind,
          fieldFlags === 0 || fieldFlags === QUOTED
            ? data.toString('utf8', from, to)
            : fieldText(data, from, to, fieldFlags, UNLOAD_QUOTE),
          (fieldFlags & QUOTED) !== 0,
          nullAs,
        );
        text(JSON.stringify(value));
      }
      ensure(2);
      out[pos++] = 0x7d; // }
      out[pos++] = 0x0a;
    },
    take() {
      if (pos === 0) return undefined;
      const bytes = out.subarray(0, pos);
      lastSize = Math.max(MIN_CAPACITY, pos);
      out = Buffer.allocUnsafe(lastSize + (lastSize >> 2));
      pos = 0;
      return bytes;
    },
  };
}

function equals(data: Buffer, from: number, to: number, bytes: Buffer): boolean {
  if (to - from !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (data[from + i] !== bytes[i]) return false;
  return true;
}

function isOneOf(data: Buffer, from: number, to: number, byte: number): boolean {
  return to - from === 1 && data[from] === byte;
}

/**
 * Writes the field at `pos` when it is `-?(0|[1-9][0-9]{0,14})` but not `-0` (Number() and
 * JSON.stringify give back the same digits) and returns the end; -1 (nothing counted) otherwise.
 */
function copyCanonicalSafeInteger(data: Buffer, from: number, to: number, out: Buffer, pos: number): number {
  let i = from;
  let p = pos;
  if (data[i] === 0x2d) out[p++] = data[i++] as number;
  const digits = to - i;
  if (digits < 1 || digits > 15) return -1;
  if (data[i] === 0x30) {
    if (digits !== 1 || i !== from) return -1;
    out[p] = 0x30;
    return p + 1;
  }
  for (; i < to; i++) {
    const b = data[i] as number;
    if (b < 0x30 || b > 0x39) return -1;
    out[p++] = b;
  }
  return p;
}

/**
 * Writes `"text"` at `pos` when JSON.stringify would write the text as it is (no quote, backslash
 * or control character, valid UTF-8) and returns the end; -1 (nothing counted) otherwise.
 */
function copyPlainJson(data: Buffer, from: number, to: number, out: Buffer, pos: number): number {
  let p = pos;
  let ascii = true;
  out[p++] = QUOTE;
  for (let i = from; i < to; i++) {
    const b = data[i] as number;
    if (b < 0x20 || b === QUOTE || b === BACKSLASH) return -1;
    if (b >= 0x80) ascii = false;
    out[p++] = b;
  }
  if (!ascii && !isUtf8(data.subarray(from, to))) return -1;
  out[p++] = QUOTE;
  return p;
}

function put(out: Buffer, pos: number, bytes: Buffer): number {
  let p = pos;
  for (let i = 0; i < bytes.length; i++) out[p++] = bytes[i] as number;
  return p;
}
