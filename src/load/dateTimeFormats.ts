/**
 * DATEFORMAT / TIMEFORMAT handling, the one home of the rule for the prepare checks
 * (checkValue.ts) and the local COPY (local/redshift/commands/copy/convertValue.ts): Redshift's
 * format strings (YYYY, MM, DD, HH24, HH12, HH, MI, SS, MON, MONTH, AM/PM, fractional seconds)
 * compiled to a matcher that yields ISO text PostgreSQL accepts; plus 'auto' (including ISO 8601
 * with `Z`, offsets and fractions: AWS documents `2019-02-11T05:09:12.195Z` as an 'auto'
 * example), 'epochsecs' and 'epochmillisecs'.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

interface Parts {
  y?: number;
  mo?: number;
  d?: number;
  h?: number;
  mi?: number;
  s?: number;
  frac?: string;
  pm?: boolean;
  tz?: string;
}

type Setter = (p: Parts, v: string) => void;

const TOKENS: [string, string, Setter][] = [
  ['YYYY', '(\\d{4})', (p, v) => (p.y = Number(v))],
  ['YY', '(\\d{2})', (p, v) => (p.y = 2000 + Number(v) - (Number(v) >= 70 ? 100 : 0))],
  ['MONTH', '([A-Za-z]+)', (p, v) => (p.mo = MONTHS.indexOf(v.slice(0, 3).toLowerCase()) + 1)],
  ['MON', '([A-Za-z]{3})', (p, v) => (p.mo = MONTHS.indexOf(v.toLowerCase()) + 1)],
  ['MM', '(\\d{1,2})', (p, v) => (p.mo = Number(v))],
  ['DD', '(\\d{1,2})', (p, v) => (p.d = Number(v))],
  ['HH24', '(\\d{1,2})', (p, v) => (p.h = Number(v))],
  ['HH12', '(\\d{1,2})', (p, v) => (p.h = Number(v))],
  ['HH', '(\\d{1,2})', (p, v) => (p.h = Number(v))],
  ['MI', '(\\d{1,2})', (p, v) => (p.mi = Number(v))],
  [
    'SS',
    '(\\d{1,2}(?:\\.\\d{1,6})?)',
    (p, v) => {
      const [s, f] = v.split('.');
      p.s = Number(s);
      if (f !== undefined) p.frac = f;
    },
  ],
  ['AM', '([AaPp][Mm])', (p, v) => (p.pm = v.toLowerCase() === 'pm')],
  ['PM', '([AaPp][Mm])', (p, v) => (p.pm = v.toLowerCase() === 'pm')],
  ['OF', '(Z|[+-]\\d{1,2}(?::?\\d{2})?)', (p, v) => (p.tz = v === 'Z' ? '+00' : v)],
];

export interface CompiledFormat {
  re: RegExp;
  setters: Setter[];
}

export function compileFormat(format: string): CompiledFormat {
  let re = '^\\s*';
  const setters: Setter[] = [];
  let i = 0;
  outer: while (i < format.length) {
    for (const [tok, pattern, set] of TOKENS) {
      if (format.slice(i, i + tok.length).toUpperCase() === tok) {
        re += pattern;
        setters.push(set);
        i += tok.length;
        // fractional seconds written as .SSS / .US after SS are covered by the SS pattern
        continue outer;
      }
    }
    const ch = format[i] as string;
    re += ch === ' ' ? '\\s+' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    i++;
  }
  re += '\\s*$';
  return { re: new RegExp(re), setters };
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= dim;
}

function partsToIso(p: Parts, withTime: boolean): string | undefined {
  const y = p.y ?? 1970;
  const mo = p.mo ?? 1;
  const d = p.d ?? 1;
  if (!validDate(y, mo, d)) return undefined;
  const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  if (!withTime) return date;
  let h = p.h ?? 0;
  if (p.pm !== undefined) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (p.pm ? 12 : 0);
  }
  const mi = p.mi ?? 0;
  const s = p.s ?? 0;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return `${date} ${pad(h)}:${pad(mi)}:${pad(s)}${p.frac ? `.${p.frac}` : ''}${p.tz ?? ''}`;
}

export function matchFormat(value: string, f: CompiledFormat, withTime: boolean): string | undefined {
  const m = f.re.exec(value);
  if (!m) return undefined;
  const p: Parts = {};
  for (let i = 0; i < f.setters.length; i++) (f.setters[i] as Setter)(p, m[i + 1] as string);
  return partsToIso(p, withTime);
}

const AUTO_DATE = [
  'YYYY-MM-DD',
  // A DATE column takes the date of a timestamp (the time is cut off).
  'YYYY-MM-DDTHH:MI:SSOF',
  'YYYY-MM-DDTHH:MI:SS',
  'YYYY-MM-DD HH:MI:SSOF',
  'YYYY-MM-DD HH:MI:SS',
  'YYYYMMDD',
  'MM/DD/YYYY',
  'MM-DD-YYYY',
  'YYYY/MM/DD',
  'YYYY.MM.DD',
  'DD-MON-YYYY',
  'MON DD YYYY',
  'MONTH DD, YYYY',
  'DD MON YYYY',
].map(compileFormat);
const AUTO_TIME = [
  'YYYY-MM-DD HH:MI:SSOF',
  'YYYY-MM-DDTHH:MI:SSOF',
  'YYYY-MM-DD HH:MI:SS',
  'YYYY-MM-DDTHH:MI:SS',
  'YYYY-MM-DD HH:MI',
  'YYYYMMDD HH:MI:SS',
  'YYYYMMDD HHMISS',
  'YYYYMMDDTHHMISS',
  'YYYY-MM-DDTHH:MIOF',
  'YYYY-MM-DDTHH:MI',
  'MM/DD/YYYY HH:MI:SS',
  'MM/DD/YYYY HH:MI:SS AM',
  'DD-MON-YYYY HH:MI:SS',
  'YYYY-MM-DD',
  'MM/DD/YYYY',
].map(compileFormat);

const DEFAULT_TIME = [
  'YYYY-MM-DD HH:MI:SSOF',
  'YYYY-MM-DD HH:MI:SS',
  'YYYY-MM-DDTHH:MI:SSOF',
  'YYYY-MM-DDTHH:MI:SS',
  'YYYY-MM-DD',
].map(compileFormat);

export type DateParser = (v: string) => string | undefined;

/** A parser for DATE values under DATEFORMAT (default 'YYYY-MM-DD'). */
export function dateParser(format: string | undefined): DateParser {
  if (format === undefined) {
    const f = compileFormat('YYYY-MM-DD');
    return (v) => matchFormat(v, f, false);
  }
  if (format.toLowerCase() === 'auto') return (v) => firstMatch(v, AUTO_DATE, false);
  const f = compileFormat(format);
  return (v) => matchFormat(v, f, false);
}

/** A parser for TIMESTAMP values under TIMEFORMAT (default 'YYYY-MM-DD HH:MI:SS', fraction allowed). */
export function timestampParser(format: string | undefined, withZone: boolean): DateParser {
  if (format === 'epochsecs' || format === 'epochmillisecs') {
    const ms = format === 'epochmillisecs';
    return (v) => {
      if (!/^\s*-?\d+(\.\d+)?\s*$/.test(v)) return undefined;
      const n = Number(v) * (ms ? 1 : 1000);
      const d = new Date(Math.floor(n));
      if (Number.isNaN(d.getTime())) return undefined;
      const micros = Math.round((n - Math.floor(n)) * 1000);
      const iso = d.toISOString().replace('T', ' ').replace('Z', '');
      const base = iso.endsWith('.000') ? iso.slice(0, -4) : iso;
      return `${base}${micros ? String(micros).padStart(3, '0') : ''}${withZone ? '+00' : ''}`;
    };
  }
  if (format === undefined) {
    return (v) => firstMatch(v, DEFAULT_TIME, true);
  }
  if (format.toLowerCase() === 'auto') return (v) => firstMatch(v, AUTO_TIME, true);
  const f = compileFormat(format);
  return (v) => matchFormat(v, f, true);
}

function firstMatch(v: string, formats: CompiledFormat[], withTime: boolean): string | undefined {
  for (const f of formats) {
    const r = matchFormat(v, f, withTime);
    if (r !== undefined) return r;
  }
  return undefined;
}
