import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WATCHDOG = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  /** Resolves once the process has exited (stop() or crash). */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnServiceOptions extends SpawnOptions {
  /** Resolves readiness: called with each stdout/stderr line until it returns a value. */
  ready: (line: string, stream: 'stdout' | 'stderr') => unknown;
  /** A name for error messages. */
  name: string;
  /**
   * How the server is stopped (default SIGTERM): by stop(), and by its watchdog when this process
   * dies without stopping it.
   */
  stopSignal?: NodeJS.Signals;
}

/**
 * Starts a child server process and waits for the line that says it is ready (no polling, no
 * sleeping). If the process exits first, the promise rejects with the last lines it printed.
 * The server runs under a watchdog (watchdog.mjs) holding a pipe from this process: a server
 * never outlives the process that started it, even one killed with SIGKILL, which runs no exit
 * handler. `child` is the watchdog; signals sent to it reach the server.
 */
export async function spawnService(
  command: string,
  args: readonly string[],
  options: SpawnServiceOptions,
): Promise<{ service: ServiceProcess; readyValue: unknown }> {
  const { ready, name, stopSignal = 'SIGTERM', ...spawnOptions } = options;
  const child = spawn(process.execPath, [WATCHDOG, stopSignal, command, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...spawnOptions,
  });
  const tail: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const readyValue = await new Promise<unknown>((resolve, reject) => {
    let done = false;
    const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      if (done) return;
      const value = ready(line, stream);
      if (value !== undefined && value !== false) {
        done = true;
        resolve(value);
      }
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine('stdout'));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine('stderr'));
    child.once('error', (err) => {
      if (!done) {
        done = true;
        reject(new Error(`${name} could not be started: ${err.message}`));
      }
    });
    void exited.then((code) => {
      if (!done) {
        done = true;
        reject(new Error(`${name} exited with code ${code} before it was ready:\n${tail.join('\n')}`));
      }
    });
  });

  const stop = async (signal: NodeJS.Signals = stopSignal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  // A parent that exits must not leave servers behind: the watchdog stops its server (a SIGKILL
  // to the watchdog would orphan it instead).
  const onExit = () => {
    if (child.exitCode === null) child.kill(stopSignal);
  };
  process.once('exit', onExit);
  void exited.then(() => process.removeListener('exit', onExit));
  return { service: { child, exited, stop }, readyValue };
}
