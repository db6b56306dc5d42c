/**
 * True when the query has a LIMIT at the outermost level (outside parentheses, strings, quoted
 * identifiers and comments). Redshift refuses such an UNLOAD; a LIMIT in a subquery is fine.
 */
export function hasOuterLimit(query: string): boolean {
  let depth = 0;
  let i = 0;
  const n = query.length;
  while (i < n) {
    const c = query[i] as string;
    if (c === "'" || c === '"') {
      const close = c;
      i++;
      while (i < n) {
        if (query[i] === '\\' && close === "'") {
          i += 2;
          continue;
        }
        if (query[i] === close) {
          if (query[i + 1] === close) {
            i += 2;
            continue;
          }
          break;
        }
        i++;
      }
      i++;
    } else if (c === '-' && query[i + 1] === '-') {
      const nl = query.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === '/' && query[i + 1] === '*') {
      const end = query.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_$]/.test(query[i] as string)) i++;
      if (depth === 0 && query.slice(start, i).toUpperCase() === 'LIMIT') return true;
    } else {
      i++;
    }
  }
  return false;
}
