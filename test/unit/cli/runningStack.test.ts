import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answers } from '../../../cli/runningStack.ts';

describe('Function: answers', () => {
  // A live stack on a machine too busy to answer HTTP for now: it accepts, and says nothing.
  let busy: Server;
  const held = new Set<Socket>();
  beforeAll(async () => {
    busy = createServer((socket) => {
      held.add(socket);
    });
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => busy.close(resolve));
  });

  it('takes a listening server that has not answered yet for a live one', async () => {
    const { port } = busy.address() as { port: number };
    expect(await answers(`http://127.0.0.1:${port}`)).toBe(true);
  });

  it('takes a port nothing listens on for a stack that is gone', async () => {
    // Port 1 (tcpmux) is unused on loopback: unlike a port just freed, no other test can take it.
    expect(await answers('http://127.0.0.1:1')).toBe(false);
  });
});
