import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { findPostgresBin } from '../../local/postgres/startPostgres.ts';
import type { MachineInfo } from './results.ts';

const run = promisify(execFile);

async function firstLine(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args);
    return (stdout || stderr).split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

async function osName(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(text)?.[1] ?? process.platform;
  } catch {
    return process.platform;
  }
}

/** What the results were measured on, for the table's first line. */
export async function describeThisMachine(): Promise<MachineInfo> {
  const cpu = cpus();
  let postgres = 'not found';
  try {
    postgres = (await firstLine(`${findPostgresBin()}/postgres`, ['--version'])).replace(
      /^postgres \(PostgreSQL\) /,
      '',
    );
  } catch {
    // no server binaries: the e2e suite says so itself
  }
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: await osName(),
    node: process.version,
    postgres,
    gzip: await firstLine('gzip', ['--version']),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 10) / 10,
    zstd: (await firstLine('zstd', ['--version'])).replace(/^\*\*\* /, '').replace(/, by .*$/, ''),
  };
}
