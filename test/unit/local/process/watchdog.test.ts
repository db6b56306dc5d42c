import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processExit } from '../../../helpers/processExit.ts';

const WATCHDOG = fileURLToPath(new URL('../../../../local/process/watchdog.mjs', import.meta.url));
const SIGNAL_AFTER_SPAWN = fileURLToPath(
  new URL('../../../fixtures/process/signalAfterSpawn.cjs', import.meta.url),
);

describe('watchdog', () => {
  it('passes on a stop that arrives before its next line after starting the server, orphaning nothing', async () => {
    const watchdog = spawn(
      process.execPath,
      ['--require', SIGNAL_AFTER_SPAWN, WATCHDOG, 'SIGINT', 'sh', '-c', 'echo "$$"; exec sleep 600'],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const pids: number[] = [];
    createInterface({ input: watchdog.stdout }).on('line', (line) => pids.push(Number(line)));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      watchdog.once('exit', (c, s) => resolve([c, s])),
    );
    // Killed by the signal itself, the watchdog would report signal SIGINT and leave the server.
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    // The server may have been stopped before it printed its pid; any pid it printed has exited.
    for (const pid of pids) await processExit(pid, 10_000);
  });
});
