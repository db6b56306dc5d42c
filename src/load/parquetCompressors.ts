import * as zlib from 'node:zlib';
import type { Compressors } from 'hyparquet';
import { compressors as portable } from 'hyparquet-compressors';

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

const nativeZstd = (zlib as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;

/**
 * Page decompressors for every codec common writers use. GZIP, BROTLI and ZSTD (Node >= 22.15)
 * use Node's native zlib, measured several times faster than the portable JavaScript decoders
 * (docs/unload-copy.md); SNAPPY (WebAssembly), LZ4 and LZ4_RAW come from hyparquet-compressors.
 * Used by the local COPY and by prepare's widenVarchar measurement (parquetStringLengths.ts).
 */
export const PARQUET_COMPRESSORS: Compressors = {
  ...portable,
  GZIP: ((input) => zlib.gunzipSync(input)) satisfies Decompress,
  BROTLI: ((input) => zlib.brotliDecompressSync(input)) satisfies Decompress,
  ...(nativeZstd ? { ZSTD: ((input) => nativeZstd(input)) satisfies Decompress } : {}),
};
