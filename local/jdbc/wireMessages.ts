/**
 * PostgreSQL wire protocol (v3) framing: just what a proxy that answers UNLOAD/COPY itself needs.
 * Frontend messages are `type(1) length(4, includes itself) body`; the startup packet has no type.
 */

export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;
export const PROTOCOL_3 = 196608;

export interface Message {
  type: string;
  body: Buffer;
  raw: Buffer;
}

/** PostgreSQL's own cap on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_PACKET = 10_000;
/** The largest message a client may send through the proxy (one query text, one COPY chunk). */
export const MAX_CLIENT_MESSAGE = 64 * 1024 * 1024;

/** A peer that breaks the framing: the connection is closed, nothing else is affected. */
export class WireFramingError extends Error {
  override name = 'WireFramingError';
}

/**
 * Splits complete typed messages off the front of `buffer`; returns them and the rest. A length
 * below 4 or above `maxLength` throws WireFramingError before anything is buffered for it.
 */
export function readMessages(
  buffer: Buffer,
  maxLength = Number.POSITIVE_INFINITY,
): { messages: Message[]; rest: Buffer } {
  const messages: Message[] = [];
  let offset = 0;
  while (buffer.length - offset >= 5) {
    const length = buffer.readInt32BE(offset + 1);
    if (length < 4 || length > maxLength) {
      throw new WireFramingError(
        `message '${String.fromCharCode(buffer[offset] as number)}' declares ${length} bytes`,
      );
    }
    if (buffer.length - offset < 1 + length) break;
    const raw = buffer.subarray(offset, offset + 1 + length);
    messages.push({ type: String.fromCharCode(raw[0] as number), body: raw.subarray(5), raw });
    offset += 1 + length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

/** One untyped startup-phase packet (`length(4) code(4) ...`), or undefined until complete. */
export function readStartupPacket(buffer: Buffer): { packet: Buffer; rest: Buffer } | undefined {
  if (buffer.length < 4) return undefined;
  const length = buffer.readInt32BE(0);
  if (length < 8 || length > MAX_STARTUP_PACKET) {
    throw new WireFramingError(`startup packet declares ${length} bytes (8 to ${MAX_STARTUP_PACKET})`);
  }
  if (buffer.length < length) return undefined;
  return { packet: buffer.subarray(0, length), rest: buffer.subarray(length) };
}

export function parseStartupParams(packet: Buffer): Map<string, string> {
  const params = new Map<string, string>();
  const parts = packet.subarray(8).toString('utf8').split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const key = parts[i] as string;
    if (key === '') break;
    params.set(key, parts[i + 1] as string);
  }
  return params;
}

export function buildStartupPacket(params: Map<string, string>): Buffer {
  const body = Buffer.from(`${[...params].map(([k, v]) => `${k}\0${v}\0`).join('')}\0`, 'utf8');
  const packet = Buffer.alloc(8 + body.length);
  packet.writeInt32BE(8 + body.length, 0);
  packet.writeInt32BE(PROTOCOL_3, 4);
  body.copy(packet, 8);
  return packet;
}

export function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, 'latin1');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

export const cstring = (s: string) => Buffer.from(`${s}\0`, 'utf8');

/** Reads NUL-terminated strings from `body` starting at `offset`. */
export function readCString(body: Buffer, offset: number): { value: string; next: number } {
  const end = body.indexOf(0, offset);
  const stop = end === -1 ? body.length : end;
  return { value: body.subarray(offset, stop).toString('utf8'), next: stop + 1 };
}

export const commandComplete = (tag: string) => message('C', cstring(tag));
export const readyForQuery = (status: string) => message('Z', Buffer.from(status, 'latin1'));

/** ErrorResponse with severity, SQLSTATE and message (what drivers turn into SQLException). */
export function errorResponse(sqlState: string, text: string, severity: 'ERROR' | 'FATAL' = 'ERROR'): Buffer {
  return message(
    'E',
    Buffer.concat([
      Buffer.from('S'),
      cstring(severity),
      Buffer.from('V'),
      cstring(severity),
      Buffer.from('C'),
      cstring(sqlState),
      Buffer.from('M'),
      cstring(text),
      Buffer.from([0]),
    ]),
  );
}
