import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Resolves when process `pid` (not a child of ours) has exited: python3 waits on a pidfd
 * (Linux >= 5.3), an event, not polling. Rejects after `timeoutMs`.
 */
export function processExit(pid: number, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const waiter = spawn(
      'python3',
      [
        '-c',
        'import os, select, sys\ntry:\n  fd = os.pidfd_open(int(sys.argv[1]))\nexcept ProcessLookupError:\n  sys.exit(0)\nsys.exit(0 if select.select([fd], [], [], float(sys.argv[2]))[0] else 1)',
        String(pid),
        String(timeoutMs / 1000),
      ],
      { stdio: 'ignore' },
    );
    waiter.once('error', reject);
    waiter.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`process ${pid} still runs after ${timeoutMs} ms`)),
    );
  });
}

/** True while a process with this pid exists. */
export const processRuns = (pid: number): boolean => existsSync(`/proc/${pid}`);
