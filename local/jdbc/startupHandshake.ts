import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import { GSSENC_REQUEST, readStartupPacket, SSL_REQUEST } from './wireMessages.ts';

/** The connection once its startup is done: the socket to speak on (TLS or not) and its packet. */
export interface Negotiated {
  socket: Socket;
  /** The StartupMessage or CancelRequest. */
  startup: Buffer;
  /** Bytes the client sent after it, for the message loop. */
  rest: Buffer;
}

/** Reads startup packets from one socket, on demand, holding at most one packet's bytes. */
class PacketReader {
  private buffered: Buffer = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.wake?.();
  };
  private readonly onClose = () => {
    this.closed = true;
    this.wake?.();
  };

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.once('close', this.onClose);
  }

  /** The next packet; throws (WireFramingError) on an absurd length, or when the client left. */
  async next(): Promise<Buffer> {
    for (;;) {
      const next = readStartupPacket(this.buffered);
      if (next !== undefined) {
        this.buffered = next.rest;
        return next.packet;
      }
      if (this.closed || this.socket.destroyed) throw new Error('client went away during its startup');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }

  /**
   * Stops reading and hands over what was read past the last packet; the socket is paused until
   * its next reader (not before a TLS upgrade: TLS takes the connection over).
   */
  detach(pause = true): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    if (pause) this.socket.pause();
    return this.buffered;
  }
}

/**
 * The startup of a PostgreSQL-wire connection: SSLRequest is answered `S` and the connection
 * upgraded to TLS when a certificate is configured (`N` otherwise, and for a second SSLRequest),
 * GSSENCRequest `N`, until the StartupMessage or CancelRequest. Bytes sent after an SSLRequest
 * before the TLS handshake are refused, as PostgreSQL does (CVE-2021-23214: they would be read as
 * if they had come over TLS). Any failure rejects; the caller drops the connection.
 */
export async function negotiateStartup(raw: Socket, tls: SecureContext | undefined): Promise<Negotiated> {
  let socket: Socket = raw;
  let reader = new PacketReader(raw);
  for (;;) {
    const packet = await reader.next();
    const code = packet.readInt32BE(4);
    if (code === SSL_REQUEST && tls !== undefined && socket === raw) {
      const early = reader.detach(false);
      if (early.length > 0) throw new Error('data after SSLRequest before the TLS handshake');
      raw.write('S');
      const secure = new TLSSocket(raw, { isServer: true, secureContext: tls });
      // A failed or abandoned handshake ends this connection only.
      secure.on('error', () => {
        secure.destroy();
        raw.destroy();
      });
      raw.once('close', () => secure.destroy());
      socket = secure;
      reader = new PacketReader(secure);
      continue;
    }
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      socket.write('N');
      continue;
    }
    return { socket, startup: packet, rest: reader.detach() };
  }
}
