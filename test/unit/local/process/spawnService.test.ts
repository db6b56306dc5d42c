import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnService } from '../../../../local/process/spawnService.ts';
import { processExit, processRuns } from '../../../helpers/processExit.ts';

// A server that prints its own pid (exec keeps it) when ready, then sleeps until signalled.
const SERVER = ['-c', 'echo "$$"; exec sleep 600'];
const readyPid = (line: string) => (/^\d+$/.test(line) ? Number(line) : undefined);

describe('spawnService', () => {
  it('stops the server with its stop signal and reports the exit', async () => {
    const { service, readyValue } = await spawnService('sh', SERVER, {
      name: 'sleeper',
      ready: readyPid,
      stopSignal: 'SIGINT',
    });
    const pid = readyValue as number;
    expect(processRuns(pid)).toBe(true);
    await service.stop();
    await processExit(pid);
    // The watchdog exits as the server did: 128 + SIGINT.
    expect(await service.exited).toBe(130);
  });

  it('rejects with the last lines when the server exits before it is ready', async () => {
    await expect(
      spawnService('sh', ['-c', 'echo starting; echo "bad config" >&2; exit 3'], {
        name: 'broken',
        ready: () => undefined,
      }),
    ).rejects.toThrow(
      /broken exited with code 3 before it was ready:\nstarting\nbad config|broken exited with code 3 before it was ready:\nbad config\nstarting/,
    );
  });

  it('a server never outlives a parent killed with SIGKILL', async () => {
    const module = fileURLToPath(new URL('../../../../local/process/spawnService.ts', import.meta.url));
    const code = `
      const { spawnService } = await import(${JSON.stringify(module)});
      const { readyValue } = await spawnService('sh', ${JSON.stringify(SERVER)}, {
        name: 'sleeper', ready: (l) => (/^\\d+$/.test(l) ? Number(l) : undefined) });
      console.log(readyValue);
      setInterval(() => {}, 60_000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    const pid = Number(
      await new Promise<string>((resolve, reject) => {
        createInterface({ input: parent.stdout }).once('line', resolve);
        void exited.then(() => reject(new Error('parent exited before its server was ready')));
      }),
    );
    expect(processRuns(pid)).toBe(true);
    parent.kill('SIGKILL');
    await exited;
    await processExit(pid);
    expect(processRuns(pid)).toBe(false);
  });
});
