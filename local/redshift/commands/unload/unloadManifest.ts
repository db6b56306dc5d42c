import type { ResultColumn } from './columns.ts';

export interface WrittenFile {
  url: string;
  contentLength: number;
  recordCount: number;
}

interface ManifestType {
  base: string;
  length?: number;
  precision?: number;
  scale?: number;
}

/** Manifest type of a column: base type name plus its dimensions (length, precision/scale). */
export function manifestType(c: ResultColumn): ManifestType {
  const m = /^([a-z ]+?)(?:\((\d+)(?:,(\d+))?\))?(?: (with(?:out)? time zone))?$/.exec(c.typeName);
  if (!m) return { base: c.typeName };
  const base = m[4] ? `${m[1]} ${m[4]}` : (m[1] as string);
  if (m[2] === undefined) return { base };
  if (base === 'numeric') return { base, precision: Number(m[2]), scale: Number(m[3] ?? 0) };
  if (base === 'character varying' || base === 'character') return { base, length: Number(m[2]) };
  return { base };
}

/**
 * The UNLOAD manifest as documented: entries with url and meta.content_length (COPY needs it for
 * columnar formats); VERBOSE adds per-file record_count, the schema, totals and the author.
 */
export function buildUnloadManifest(files: WrittenFile[], columns: ResultColumn[], verbose: boolean): string {
  const entries = files.map((f) =>
    verbose
      ? { url: f.url, meta: { content_length: f.contentLength, record_count: f.recordCount } }
      : { url: f.url, meta: { content_length: f.contentLength } },
  );
  if (!verbose) return `${JSON.stringify({ entries }, null, 2)}\n`;
  return `${JSON.stringify(
    {
      entries,
      schema: { elements: columns.map((c) => ({ name: c.name, type: manifestType(c) })) },
      meta: {
        content_length: files.reduce((s, f) => s + f.contentLength, 0),
        record_count: files.reduce((s, f) => s + f.recordCount, 0),
      },
      author: { name: 'Amazon Redshift', version: '1.0.0' },
    },
    null,
    2,
  )}\n`;
}
