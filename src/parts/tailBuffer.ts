/**
 * The last `limit` bytes of a stream, kept as the chunks that hold them (no copy per chunk: a
 * Parquet part's footer is read from its tail, and copying a 16 MiB tail on every 64 KiB chunk made
 * counting a 1 GB part cost ~250 GB of memcpy).
 */
export class TailBuffer {
  private chunks: Uint8Array[] = [];
  private total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
    let first = this.chunks[0];
    while (first !== undefined && this.total - first.length >= this.limit) {
      this.chunks.shift();
      this.total -= first.length;
      first = this.chunks[0];
    }
  }

  /** The last `limit` bytes (fewer if the stream was shorter). */
  bytes(): Buffer {
    const all = Buffer.concat(this.chunks, this.total);
    return all.length > this.limit ? all.subarray(all.length - this.limit) : all;
  }
}
