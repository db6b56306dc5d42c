import { afterEach, describe, expect, it } from 'vitest';
import { waitForStatement } from '../../../src/dataapi/waitForStatement.ts';
import { startScriptedDataApi } from './scriptedDataApi.ts';

let api: Awaited<ReturnType<typeof startScriptedDataApi>> | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

/** A Data API whose DescribeStatement answers each status in turn (the last one forever). */
async function statuses(...list: string[]) {
  let i = 0;
  api = await startScriptedDataApi({
    DescribeStatement: (body) => {
      const status = list[Math.min(i++, list.length - 1)];
      return { body: { Id: body.Id, Status: status, ...(status === 'FAILED' ? { Error: 'boom' } : {}) } };
    },
  });
  return api;
}

describe('waitForStatement', () => {
  it('long-polls DescribeStatement until the statement ends', async () => {
    const { client, calls } = await statuses('SUBMITTED', 'STARTED', 'FINISHED');

    const { description, timedOut } = await waitForStatement(client, 'id-1', {
      timeoutMs: 60_000,
      now: () => 0,
    });

    expect(description.status).toBe('FINISHED');
    expect(timedOut).toBe(false);
    expect(calls.map((c) => c.body)).toEqual([
      { Id: 'id-1', WaitTimeSeconds: 10 },
      { Id: 'id-1', WaitTimeSeconds: 10 },
      { Id: 'id-1', WaitTimeSeconds: 10 },
    ]);
  });

  it('returns a failed statement with its error, and stops waiting at the deadline', async () => {
    const failed = await statuses('STARTED', 'FAILED');
    const result = await waitForStatement(failed.client, 'id-2', { timeoutMs: 60_000, now: () => 0 });
    expect(result).toMatchObject({ timedOut: false, description: { status: 'FAILED', error: 'boom' } });
    await failed.stop();
    api = undefined;

    const running = await statuses('STARTED');
    let clock = 0;
    const late = await waitForStatement(running.client, 'id-3', {
      timeoutMs: 25_000,
      now: () => (clock += 10_000),
    });
    expect(late).toMatchObject({ timedOut: true, description: { status: 'STARTED' } });
    // Deadline 35 s (the clock reads 10 s at the start): checks at 20, 30 and 40 s.
    expect(running.calls).toHaveLength(3);
  });
});
