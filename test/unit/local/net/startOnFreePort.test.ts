import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { portTaken, startOnFreePort } from '../../../../local/net/startOnFreePort.ts';
import { startS3 } from '../../../../local/s3/startS3.ts';

// Ports the probe hands out before asking the kernel: a port bound by someone else between the
// probe and the server's bind, forced here instead of waited for.
const handedOut: number[] = [];
const probed: number[] = [];
vi.mock('../../../../local/net/freePort.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../local/net/freePort.ts')>();
  return {
    ...real,
    freePort: async () => {
      const port = handedOut.shift() ?? (await real.freePort());
      probed.push(port);
      return port;
    },
  };
});

const sockets = new Map<Server, Set<Socket>>();

/**
 * A plain TCP server on `port` (0: any) that hangs up on whoever connects (the S3 readiness probe
 * does); resolves once it listens, rejects with the bind error.
 */
function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const open = new Set<Socket>();
    const server = createServer((socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      socket.destroy();
    });
    sockets.set(server, open);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (server: Server) => (server.address() as { port: number }).port;
const close = (server: Server) =>
  new Promise((resolve) => {
    server.close(resolve);
    for (const socket of sockets.get(server) ?? []) socket.destroy();
  });

describe('startOnFreePort', () => {
  let squatter: Server;
  beforeAll(async () => {
    squatter = await listenOn(0);
  });
  afterAll(async () => {
    await close(squatter);
  });

  it('asks for another port when the probed one was bound first, and leaves its owner alone', async () => {
    handedOut.push(portOf(squatter), portOf(squatter));
    probed.length = 0;
    const server = await startOnFreePort(listenOn);
    try {
      expect(probed).toHaveLength(3);
      expect(portOf(server)).toBe(probed[2]);
      expect(portOf(server)).not.toBe(portOf(squatter));
      expect(squatter.listening).toBe(true);
    } finally {
      await close(server);
    }
  });

  it('gives up after the attempts it is given, with the last bind error', async () => {
    handedOut.push(portOf(squatter), portOf(squatter));
    await expect(startOnFreePort(listenOn, 2)).rejects.toThrow(/EADDRINUSE/);
    expect(handedOut).toEqual([]);
  });

  it('throws any other failure at once', async () => {
    probed.length = 0;
    const start = vi.fn(async () => {
      throw new Error('the server binary is missing');
    });
    await expect(startOnFreePort(start)).rejects.toThrow('the server binary is missing');
    expect(start).toHaveBeenCalledTimes(1);
    expect(probed).toHaveLength(1);
  });

  it('knows the words servers use for a taken port', () => {
    expect(portTaken(new Error('listen EADDRINUSE: address already in use 127.0.0.1:9'))).toBe(true);
    expect(
      portTaken(new Error('LOG:  could not bind IPv4 address "127.0.0.1": Address already in use')),
    ).toBe(true);
    expect(portTaken(new Error('permission denied'))).toBe(false);
    expect(portTaken('Address already in use')).toBe(false);
  });

  it('starts the local S3 on another port when its probed port was taken', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rt-s3-port-'));
    handedOut.push(portOf(squatter));
    try {
      const s3 = await startS3({ dataDir });
      try {
        expect(s3.port).not.toBe(portOf(squatter));
        const res = await fetch(`${s3.endpoint}/`);
        await res.body?.cancel();
        expect(res.status).toBe(403); // unsigned: refused by the gateway, so it is the one listening
      } finally {
        await s3.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
