import { compressSync } from 'snappy';

/**
 * Snappy compression (raw format, as Parquet pages use) through the native `snappy` package
 * (napi-rs, prebuilt binaries): UNLOAD PARQUET's whole encode takes about half the CPU it took
 * with the JavaScript port of the reference algorithm this replaced (docs/local-stack.md).
 * `copyOutputData`: the package's default external buffers are never given back to the system on
 * glibc (Brooooooklyn/snappy#323, RSS grew ~100 MB per million rows); a copy into a V8 buffer
 * keeps RSS flat and costs less than the GC pressure it saves.
 */
export function snappyCompress(input: Uint8Array): Uint8Array {
  return compressSync(input, { copyOutputData: true });
}
