/**
 * JSONPaths (COPY ... JSON 's3://.../paths.json'): one home for the prepare checks and the local
 * COPY. A file is `{"jsonpaths": ["$['a']", "$.b.c", "$.d[0]"]}`; the paths map to the load's
 * columns by position.
 */

/** The paths of a JSONPaths file, or the reason it is not one. */
export function parseJsonPaths(text: string): { paths: string[] } | { error: string } {
  let paths: unknown;
  try {
    paths = (JSON.parse(text) as { jsonpaths?: unknown }).jsonpaths;
  } catch {
    paths = undefined;
  }
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p.startsWith('$')))
    return { error: `must be {"jsonpaths": ["$['col']", ...]}` };
  return { paths };
}

/** Evaluates a JSONPaths expression (`$['a']['b']`, `$.a.b`, `$.a[0]`) against a document. */
export function evalJsonPath(doc: unknown, path: string): unknown {
  const re =
    /\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*(\d+)\s*\]|\.([A-Za-z_$][\w$]*)/g;
  if (!path.startsWith('$')) return undefined;
  let cur: unknown = doc;
  let m: RegExpExecArray | null;
  re.lastIndex = 1;
  for (;;) {
    m = re.exec(path);
    if (!m) break;
    const key = m[1] ?? m[2] ?? m[4];
    if (cur === null || typeof cur !== 'object') return undefined;
    if (m[3] !== undefined) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(m[3])];
    } else cur = (cur as Record<string, unknown>)[key as string];
  }
  return cur;
}
