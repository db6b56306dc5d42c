import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';

/** The endings a job file has, in the order a job name is looked up (`<name>.yml` first). */
export const JOB_FILE_ENDINGS = ['.yml', '.yaml', '.json'] as const;

/** True for a file name a job can be looked up by: `*.yml`, `*.yaml` or `*.json`. */
export const isJobFileName = (name: string): boolean => JOB_FILE_ENDINGS.some((e) => name.endsWith(e));

/**
 * The job files of a folder, as paths under it, sorted: regular files whose names are job file
 * names, so a folder holds exactly the jobs that can be run by name from it. A missing folder
 * holds none, unless `required` (the S3-event trigger: a deployment without its jobs is broken,
 * not empty).
 */
export async function listJobFiles(dir: string, options: { required?: boolean } = {}): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (options.required) throw new ConfigError(`The jobs folder ${dir} does not exist`, { cause: error });
    return [];
  }
  return entries
    .filter((e) => e.isFile() && isJobFileName(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => join(dir, name));
}
