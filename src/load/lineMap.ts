import { z } from 'zod';

/**
 * Which source line each line of a prepared chunk came from. Records go to a chunk in runs of
 * consecutive source records, so a chunk's lines follow its source's lines with a constant
 * offset between breakpoints (a switch of chunk, a header, a blank line or a bad row left out).
 * Per chunk, a flat list of pairs `[chunkLine, sourceLine, chunkLine, sourceLine, ...]`: from
 * each breakpoint on, `source = sourceLine + (line - chunkLine)` until the next one.
 */
export const lineMapSchema = z.object({ chunks: z.array(z.array(z.number().int().positive())) }).strict();
export type LineMap = z.infer<typeof lineMapSchema>;

/** Builds the line maps of a part's chunks while records are written. */
export class LineMapBuilder {
  private readonly next: number[];
  readonly chunks: number[][];

  constructor(chunks: number) {
    this.next = Array.from({ length: chunks }, () => 1);
    this.chunks = Array.from({ length: chunks }, () => []);
  }

  /** A record from `sourceLine` spanning `lines` lines was appended to chunk `chunk`. */
  add(chunk: number, sourceLine: number, lines: number): void {
    const pairs = this.chunks[chunk] as number[];
    const line = this.next[chunk] as number;
    const n = pairs.length;
    if (n === 0 || (pairs[n - 1] as number) + (line - (pairs[n - 2] as number)) !== sourceLine) {
      pairs.push(line, sourceLine);
    }
    this.next[chunk] = line + lines;
  }

  toJSON(): LineMap {
    return { chunks: this.chunks };
  }
}

/** The source line of line `line` of a chunk with the breakpoints `pairs`, or undefined. */
export function sourceLineOf(pairs: readonly number[], line: number): number | undefined {
  let found: number | undefined;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const at = pairs[i] as number;
    if (at > line) break;
    found = (pairs[i + 1] as number) + (line - at);
  }
  return found;
}
