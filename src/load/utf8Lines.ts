import { isUtf8 } from 'node:buffer';
import { BadRecordError } from '../errors.ts';

export const LF = 0x0a;
export const CR = 0x0d;

/**
 * Cuts the decompressed bytes into blocks that end after a line feed (an LF is never inside a
 * UTF-8 character, so every block is whole characters), checks each block's UTF-8 once, and
 * keeps what the last consumer left unread for the next block. Invalid UTF-8 is an error naming
 * the file, unless `lenient` (ACCEPTINVCHARS): then each invalid sequence becomes U+FFFD.
 */
export class Utf8Lines {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes at the start of `pending` that were checked already. */
  private checked = 0;
  private total = 0;
  private bomChecked = false;
  /** Line feeds in the bytes checked so far (for the line of invalid UTF-8). */
  private lines = 0;

  constructor(
    private readonly label: string,
    private readonly lenient: boolean,
  ) {}

  /** Adds input; returns the bytes to parse now (up to the last LF), or undefined. */
  push(chunk: Buffer): Buffer | undefined {
    this.total += chunk.length;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.stripBom(false);
    const lf = this.pending.lastIndexOf(LF);
    if (lf < this.checked) return undefined;
    this.check(lf + 1);
    return this.pending.subarray(0, this.checked);
  }

  /** The parser read `n` bytes of the last block; the rest comes again with the next one. */
  consumed(n: number): void {
    this.pending = this.pending.subarray(n);
    this.checked -= n;
  }

  /** The end of the input: the remaining bytes, or undefined when there are none. */
  end(): Buffer | undefined {
    this.stripBom(true);
    this.check(this.pending.length);
    return this.pending.length === 0 ? undefined : this.pending;
  }

  private stripBom(final: boolean): void {
    if (this.bomChecked || (this.pending.length < 3 && !final)) return;
    this.bomChecked = true;
    // TextDecoder drops a leading byte order mark, and so did the text reader before.
    if (this.pending[0] === 0xef && this.pending[1] === 0xbb && this.pending[2] === 0xbf) {
      this.pending = this.pending.subarray(3);
    }
  }

  private check(upTo: number): void {
    if (upTo <= this.checked) return;
    const block = this.pending.subarray(this.checked, upTo);
    if (!isUtf8(block)) {
      if (!this.lenient) {
        const at = invalidUtf8At(block);
        const before = block.subarray(0, at);
        const lineStart = before.lastIndexOf(LF) + 1;
        const line = this.lines + countLf(before) + 1;
        const column = before.toString('utf8', lineStart).length + 1;
        throw new BadRecordError(
          `${this.label}: line ${line}, column ${column}: invalid UTF-8 (byte 0x${(block[at] ?? 0).toString(16).padStart(2, '0')}). Fix the file's encoding, or set copyOptions.acceptInvChars.`,
        );
      }
      const fixed = Buffer.from(new TextDecoder('utf-8').decode(block), 'utf8');
      this.pending = Buffer.concat([
        this.pending.subarray(0, this.checked),
        fixed,
        this.pending.subarray(upTo),
      ]);
      this.checked += fixed.length;
      return;
    }
    if (!this.lenient) this.lines += countLf(block);
    this.checked = upTo;
  }
}

function countLf(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) n++;
  return n;
}

/** The offset of the first byte of `bytes` that does not start or continue a valid UTF-8 sequence. */
function invalidUtf8At(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length || !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return bytes.length;
}
