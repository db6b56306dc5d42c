import { freePort } from './freePort.ts';

/** Whether a server failed because its port is taken (the kernel's words, as servers print them). */
export function portTaken(error: unknown): boolean {
  return error instanceof Error && /address already in use|EADDRINUSE/i.test(error.message);
}

/**
 * Starts a server that must be told its port: on a free port, asked of the kernel, and on another
 * one should a process take it between the probe and the server's bind (another test's server, or
 * an outgoing connection's ephemeral port: both come from the same range). Other failures, and the
 * last of `attempts`, are thrown.
 */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (error) {
      if (!portTaken(error) || attempt >= attempts) throw error;
    }
  }
}
