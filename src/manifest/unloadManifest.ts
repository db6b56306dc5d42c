import { z } from 'zod';
import { ManifestError } from '../errors.ts';
import { formatIssues } from '../validation/formatIssues.ts';

/**
 * The manifest UNLOAD writes with MANIFEST VERBOSE:
 * `{"entries":[{"url","meta":{"content_length","record_count"}}], "schema":{"elements":[{"name",
 * "type":{"base",...}}]}, "meta":{"content_length","record_count"}, "author":{"name","version"}}`.
 * `record_count` includes the header line of each file when HEADER is set (Redshift docs).
 * The keys for type dimensions are not documented, so `type` keeps whatever else it carries.
 */

const count = z.number().int('expected a whole number').nonnegative('expected a number >= 0');

const manifestSchema = z.object({
  entries: z.array(
    z.object({
      url: z.string().regex(/^s3:\/\/[^/]+\/.+/, 'expected an s3://bucket/key URL'),
      meta: z.object({ content_length: count, record_count: count.optional() }),
    }),
  ),
  schema: z
    .object({
      elements: z.array(
        z.object({
          name: z.string().min(1),
          type: z.looseObject({ base: z.string().min(1) }),
        }),
      ),
    })
    .optional(),
  meta: z.object({ content_length: count.optional(), record_count: count.optional() }).optional(),
  author: z.object({ name: z.string(), version: z.string().optional() }).optional(),
});

export interface ManifestEntry {
  url: string;
  contentLength: number;
  /** Lines in the file (including its header line when HEADER was set); absent without VERBOSE. */
  recordCount?: number | undefined;
}

export interface ColumnSchema {
  name: string;
  /** Redshift's base type name: `integer`, `character varying`, `numeric`... */
  type: string;
}

export interface UnloadManifest {
  entries: ManifestEntry[];
  schema: ColumnSchema[];
  totalRecords?: number | undefined;
  totalBytes?: number | undefined;
}

/** Parses and checks an UNLOAD manifest; a problem is a ManifestError naming the key and `source`. */
export function parseUnloadManifest(text: string, source: string): UnloadManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`UNLOAD manifest ${source} is not valid JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new ManifestError(
      `UNLOAD manifest ${source} is malformed:\n  - ${formatIssues(parsed.error.issues).join('\n  - ')}`,
    );
  }
  const m = parsed.data;
  const entries = m.entries.map((e) => ({
    url: e.url,
    contentLength: e.meta.content_length,
    recordCount: e.meta.record_count,
  }));
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    if (seen.has(e.url))
      throw new ManifestError(`UNLOAD manifest ${source}: entries[${i}].url ${e.url} is listed twice.`);
    seen.add(e.url);
  }
  const sum = (pick: (e: ManifestEntry) => number | undefined) =>
    entries.every((e) => pick(e) !== undefined) ? entries.reduce((n, e) => n + (pick(e) ?? 0), 0) : undefined;
  const records = sum((e) => e.recordCount);
  if (m.meta?.record_count !== undefined && records !== undefined && m.meta.record_count !== records) {
    throw new ManifestError(
      `UNLOAD manifest ${source}: meta.record_count is ${m.meta.record_count} but the entries add up to ${records}.`,
    );
  }
  const bytes = sum((e) => e.contentLength);
  if (m.meta?.content_length !== undefined && bytes !== undefined && m.meta.content_length !== bytes) {
    throw new ManifestError(
      `UNLOAD manifest ${source}: meta.content_length is ${m.meta.content_length} but the entries add up to ${bytes}.`,
    );
  }
  return {
    entries,
    schema: (m.schema?.elements ?? []).map((e) => ({ name: e.name, type: e.type.base })),
    totalRecords: m.meta?.record_count ?? records,
    totalBytes: m.meta?.content_length ?? bytes,
  };
}
