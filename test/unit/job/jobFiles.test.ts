import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { isJobFileName, listJobFiles } from '../../../src/job/jobFiles.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rt-jobfiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listJobFiles', () => {
  it('lists the regular files a job name can be looked up by, sorted, and nothing else', async () => {
    for (const name of ['b.yaml', 'a.yml', 'c.json', 'README.md', 'upper.YML', 'x.yml.bak'])
      await writeFile(join(dir, name), 'name: x\n');
    await mkdir(join(dir, 'folder.yml'));
    await symlink(join(dir, 'missing.yml'), join(dir, 'dangling.yml'));
    expect(await listJobFiles(dir)).toEqual([join(dir, 'a.yml'), join(dir, 'b.yaml'), join(dir, 'c.json')]);
  });

  it('a missing folder holds no jobs, unless the folder is required', async () => {
    const missing = join(dir, 'nope');
    expect(await listJobFiles(missing)).toEqual([]);
    await expect(listJobFiles(missing, { required: true })).rejects.toThrow(ConfigError);
    await expect(listJobFiles(missing, { required: true })).rejects.toThrow(
      `The jobs folder ${missing} does not exist`,
    );
  });

  it('names a job file by the endings a job name is looked up with', () => {
    expect(['a.yml', 'a.yaml', 'a.json', 'a.YML', 'a.txt', 'yml'].map(isJobFileName)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
