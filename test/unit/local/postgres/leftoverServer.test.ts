import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freeDataDir, OWNER_FILE } from '../../../../local/postgres/leftoverServer.ts';
import { findPostgresBin } from '../../../../local/postgres/startPostgres.ts';
import { ConfigError } from '../../../../src/errors.ts';
import { processRuns } from '../../../helpers/processExit.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A live process that is no PostgreSQL server: what a reused pid names. */
async function bystander(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return child;
}

/** The pid of a process that has exited (the owner of a stack killed long ago). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return child.pid as number;
}

describe('freeDataDir', () => {
  it('never signals a live process that a stale postmaster.pid names (a reused pid): it says what to check', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rt-leftover-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const other = await bystander();
    // postmaster.pid's first lines: pid, data directory, start time, port.
    await writeFile(join(dataDir, 'postmaster.pid'), `${other.pid}\n${dataDir}\n1700000000\n5432\n`);
    await writeFile(
      join(dataDir, OWNER_FILE),
      `${JSON.stringify({ pid: await deadPid(), startTime: '1' })}\n`,
    );
    const notes: string[] = [];

    const error = await freeDataDir(dataDir, findPostgresBin(), undefined, (line) => notes.push(line)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain(
      `${join(dataDir, 'postmaster.pid')} names process ${other.pid} (${process.execPath} -e setInterval(() => {}, 1 << 30)), which is not a PostgreSQL server of ${dataDir}`,
    );
    expect(error?.message).toContain('then remove that postmaster.pid and start again');
    expect(notes).toEqual([]);
    expect(processRuns(other.pid as number)).toBe(true);
    expect(other.exitCode).toBeNull();
    expect(other.signalCode).toBeNull();
  });

  it('leaves a postmaster.pid whose process is gone to PostgreSQL (it starts over a stale lock)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rt-leftover-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await writeFile(join(dataDir, 'postmaster.pid'), `${await deadPid()}\n${dataDir}\n1700000000\n5432\n`);
    const notes: string[] = [];
    await freeDataDir(dataDir, findPostgresBin(), undefined, (line) => notes.push(line));
    expect(notes).toEqual([]);
  });
});
