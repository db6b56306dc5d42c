import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../../src/errors.ts';

const run = promisify(execFile);

/** Beside postmaster.pid: the process that started the server (a stack, `run --local`, a test run). */
export const OWNER_FILE = 'redshift-transfer.owner.json';

interface Owner {
  pid: number;
  /** Start time of the process (clock ticks since boot, /proc/<pid>/stat), so a reused pid is not taken for it. */
  startTime: string | undefined;
}

/** Start time of a live process, or undefined without /proc or when it is gone. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces and parentheses): field 22 is starttime.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * Whether live process `pid` is a PostgreSQL server of `dataDir`: it runs in it (the postmaster
 * changes into its data directory) or, where its cwd cannot be read, names it on its command line.
 * A postmaster.pid outlives its server when the server is killed, and its pid may since belong to
 * any process: that one must never be signalled.
 */
function isServerOf(pid: number, dataDir: string): boolean {
  let dir: string;
  try {
    dir = realpathSync(dataDir);
  } catch {
    return false;
  }
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === dir;
  } catch {
    const args = commandLine(pid).split(' ');
    return /postgres/.test(args[0] ?? '') && args.some((a) => a === dir || a === dataDir);
  }
}

/** Records this process as the owner of the server now running on dataDir. */
export async function recordOwner(dataDir: string): Promise<void> {
  const owner: Owner = { pid: process.pid, startTime: startTimeOf(process.pid) };
  await writeFile(join(dataDir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
}

/**
 * Makes dataDir free for a new server. A postmaster still running there whose owner is gone was
 * left behind by a stack killed before it could stop it (kill -9, a crash): it is stopped with a
 * fast shutdown (committed data stays) and `log` says so. One whose owner still runs belongs to a
 * live stack: a ConfigError names both processes and what to do.
 */
export async function freeDataDir(
  dataDir: string,
  binDir: string,
  user: { uid: number; gid: number } | undefined,
  log: (line: string) => void,
): Promise<void> {
  let pidFile: string;
  try {
    pidFile = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return;
  }
  const postmaster = Number(pidFile.split('\n')[0]);
  // A stale postmaster.pid (its process gone) is PostgreSQL's to handle: it starts over it.
  if (!Number.isInteger(postmaster) || postmaster <= 0 || !isAlive(postmaster)) return;
  if (!isServerOf(postmaster, dataDir)) {
    const cmd = commandLine(postmaster);
    throw new ConfigError(
      `${join(dataDir, 'postmaster.pid')} names process ${postmaster}${cmd ? ` (${cmd})` : ''}, which is not a PostgreSQL server of ${dataDir}: ` +
        'the file was left by a server that was killed, and its pid now belongs to another process (left alone). ' +
        `Check that no PostgreSQL runs on ${dataDir} (ps -ef | grep postgres), then remove that postmaster.pid and start again.`,
    );
  }

  let owner: Owner | undefined;
  try {
    owner = JSON.parse(await readFile(join(dataDir, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    owner = undefined;
  }
  const ownerRuns =
    owner !== undefined &&
    isAlive(owner.pid) &&
    (owner.startTime === undefined || startTimeOf(owner.pid) === owner.startTime);
  if (owner !== undefined && ownerRuns) {
    const cmd = commandLine(owner.pid);
    throw new ConfigError(
      `PostgreSQL (pid ${postmaster}) already runs on ${dataDir} for process ${owner.pid}${cmd ? ` (${cmd})` : ''}. ` +
        `Stop that process first (Ctrl-C in its terminal, or kill ${owner.pid}), use the stack it runs, or pass another --data-dir.`,
    );
  }
  log(
    `PostgreSQL (pid ${postmaster}) was left running on ${dataDir} by a local stack that did not stop it (killed?): stopping it (pg_ctl stop -m fast)`,
  );
  try {
    await run(join(binDir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], {
      ...user,
      cwd: dataDir,
    });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new ConfigError(
      `PostgreSQL (pid ${postmaster}) left running on ${dataDir} could not be stopped: ${detail}. ` +
        `Stop it by hand: ${user ? 'runuser -u postgres -- ' : ''}${join(binDir, 'pg_ctl')} stop -D ${dataDir} -m fast (or kill -INT ${postmaster}), then start again.`,
    );
  }
}
