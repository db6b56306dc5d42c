import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';

/**
 * Sends the handlers' EMF metric lines of the calling file's tests to a temporary file
 * (RT_METRICS_FILE, as the local stack does) instead of the test output. Call at the top of a
 * file or describe block; `lines()` reads what was published so far.
 */
export function useMetricsFile(): { lines(): Promise<Record<string, unknown>[]> } {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rt-metrics-'));
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    vi.stubEnv('RT_METRICS_FILE', join(dir as string, 'metrics.jsonl'));
  });
  return {
    async lines() {
      const text = await readFile(join(dir as string, 'metrics.jsonl'), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
  };
}
