import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { resolveJob } from '../../../src/job/resolveJob.ts';

describe('jobs/ load and transfer examples', () => {
  it('are valid job documents of their kind', async () => {
    const files = (await readdir('jobs')).filter((f) => /(load|transfer)\.ya?ml$/.test(f)).sort();
    expect(files).toEqual([
      'recent-sales-transfer.yml',
      'sales-append-load.yml',
      'users-upsert-load.yml',
      'venues-replace-load.yml',
    ]);
    for (const file of files) {
      const { job } = await resolveJob({ file: `jobs/${file}` });
      expect(job.kind, file).toBe(file.endsWith('transfer.yml') ? 'transfer' : 'load');
      expect(job.name, file).toBe(file.replace(/\.yml$/, ''));
    }
  });
});
