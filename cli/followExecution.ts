import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { emptyProgress, foldProgress, formatProgress, type Progress, withMapRun } from './progress.ts';
import { forTerminal } from './terminalText.ts';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface FollowOptions {
  client: SFNClient;
  executionArn: string;
  /** Progress goes here: a live line on a TTY, one line per state change otherwise. */
  out: Output;
  /** How often to ask the API (it has no push); default 500 ms. */
  intervalMs?: number;
}

export interface FollowResult {
  description: DescribeExecutionCommandOutput;
  history: HistoryEvent[];
  progress: Progress;
}

/** Every history event, all pages. */
export async function fetchHistory(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/**
 * Follows an execution until it ends, reporting progress from GetExecutionHistory (and
 * DescribeMapRun for a Distributed Map). Step Functions pushes nothing to API clients, so this
 * asks every `intervalMs`.
 */
export async function followExecution({
  client,
  executionArn,
  out,
  intervalMs = 500,
}: FollowOptions): Promise<FollowResult> {
  let progress = emptyProgress();
  let seen = 0;
  let lastLine = '';
  for (;;) {
    const description = await client.send(new DescribeExecutionCommand({ executionArn }));
    const history = await fetchHistory(client, executionArn);
    progress = foldProgress(progress, history.slice(seen));
    seen = history.length;
    const mapRunArn = [...history].reverse().find((e) => e.type === 'MapRunStarted')
      ?.mapRunStartedEventDetails?.mapRunArn;
    if (mapRunArn !== undefined) {
      const run = await client.send(new DescribeMapRunCommand({ mapRunArn })).catch(() => undefined);
      progress = withMapRun(
        progress,
        run?.itemCounts
          ? { succeeded: run.itemCounts.succeeded ?? 0, total: run.itemCounts.total ?? 0 }
          : undefined,
      );
    }
    const line = forTerminal(formatProgress(progress));
    if (out.isTTY) out.write(`\r\x1b[K${line}`);
    else if (line !== lastLine) out.write(`${line}\n`);
    lastLine = line;
    if (description.status !== 'RUNNING') {
      if (out.isTTY) out.write('\n');
      return { description, history, progress };
    }
    await sleep(intervalMs);
  }
}
