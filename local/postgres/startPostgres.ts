import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startOnFreePort } from '../net/startOnFreePort.ts';
import { spawnService } from '../process/spawnService.ts';
import { freeDataDir, recordOwner } from './leftoverServer.ts';

const run = promisify(execFile);

export interface LocalPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust auth on loopback only). */
  url: string;
  port: number;
  dataDir: string;
  /** Builds a URL for another database of the same cluster. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Cluster directory; created with initdb when it holds no cluster yet. */
  dataDir: string;
  port?: number;
  /** Directory of initdb/postgres; defaults to $PG_BIN or the newest /usr/lib/postgresql/N/bin. */
  binDir?: string;
  /** Where notes go (a leftover server stopped); default stderr. */
  log?: (line: string) => void;
}

/** Finds the PostgreSQL server binaries. */
export function findPostgresBin(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'postgres'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  throw new Error(
    'PostgreSQL server binaries not found. Install them (Debian: apt-get install postgresql) or set PG_BIN to the directory holding initdb and postgres.',
  );
}

/** The server's command line: loopback only, the socket in the data directory, no durability. */
function serverArgs(dataDir: string, port: number): string[] {
  return [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    dataDir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
    '-c',
    'log_destination=stderr',
    '-c',
    'logging_collector=off',
  ];
}

/**
 * PostgreSQL refuses to run as root; as root we run it as the `postgres` system user. We set the
 * uid on the child itself (not through runuser) so that the process we signal is the server.
 */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  try {
    const { stdout: uid } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    throw new Error(
      'Running as root, PostgreSQL needs the "postgres" system user (apt-get install postgresql creates it).',
    );
  }
}

/**
 * Starts a private PostgreSQL cluster on loopback: its own data directory, a free port, the unix
 * socket inside the data directory, durability switched off (it is a disposable local engine).
 * The server is a child of this process and is stopped by `stop()` (fast shutdown), or by its
 * watchdog when this process dies without stopping it. A server a killed stack left running on
 * dataDir is stopped first (freeDataDir); one a live process owns is reported.
 */
export async function startPostgres(options: StartPostgresOptions): Promise<LocalPostgres> {
  const binDir = options.binDir ?? findPostgresBin();
  const { dataDir } = options;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const user = await serverUser();
  if (user) await chown(dataDir, user.uid, user.gid);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const args = ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'];
    try {
      await run(join(binDir, 'initdb'), args, { ...user, cwd: dataDir });
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr ?? String(error);
      throw new Error(`initdb failed for ${dataDir}: ${detail}`);
    }
  }
  const st = await stat(dataDir);
  if (!st.isDirectory()) throw new Error(`${dataDir} is not a directory`);

  await freeDataDir(dataDir, binDir, user, options.log ?? ((line) => process.stderr.write(`${line}\n`)));

  const start = async (port: number) => {
    const { service } = await spawnService(join(binDir, 'postgres'), serverArgs(dataDir, port), {
      ...user,
      cwd: dataDir,
      name: 'local PostgreSQL',
      // PostgreSQL's "fast" shutdown: it rolls back open transactions and exits promptly.
      stopSignal: 'SIGINT',
      ready: (line) => /database system is ready to accept connections/.test(line) || undefined,
    });
    return { service, port };
  };
  // A free port is asked of the kernel, and again should another process bind it first.
  const { service, port } =
    options.port === undefined ? await startOnFreePort(start) : await start(options.port);
  await recordOwner(dataDir);
  const urlFor = (database: string) =>
    `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    url: urlFor('postgres'),
    port,
    dataDir,
    urlFor,
    stop: () => service.stop(),
  };
}
