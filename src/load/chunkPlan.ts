/**
 * How many gzip chunks each source object is split into. Redshift gives each slice whole files,
 * so the total is rounded up to a multiple of the slice count (AWS: "a multiple of the number of
 * slices", each 1 MB-1 GB compressed); the extra chunks go to the largest objects first.
 * Sizes are the objects' sizes as stored (compressed when they are).
 */
export function planChunks(
  sizes: readonly number[],
  chunkBytes: number,
  slices: number,
  maxPerObject = MAX_CHUNKS_PER_PART,
): number[] {
  if (sizes.length === 0) return [];
  const counts = sizes.map((size) => Math.min(maxPerObject, Math.max(1, Math.ceil(size / chunkBytes))));
  const total = counts.reduce((a, b) => a + b, 0);
  const wanted = Math.ceil(total / slices) * slices;
  const bySize = sizes
    .map((size, index) => ({ size, index }))
    .sort((a, b) => b.size - a.size || a.index - b.index);
  let extra = wanted - total;
  // Round-robin over the objects, largest first, skipping those at the cap; stops when all are.
  while (extra > 0 && bySize.some((o) => (counts[o.index] ?? 0) < maxPerObject)) {
    for (const o of bySize) {
      if (extra === 0) break;
      if ((counts[o.index] ?? 0) < maxPerObject) {
        counts[o.index] = (counts[o.index] ?? 0) + 1;
        extra--;
      }
    }
  }
  return counts;
}

/** A part never writes more chunks than this at once (each is an open gzip + multipart upload). */
export const MAX_CHUNKS_PER_PART = 64;
