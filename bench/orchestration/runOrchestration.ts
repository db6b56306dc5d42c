import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { startS3 } from '../../local/s3/startS3.ts';
import { loadDefinitionFile } from '../../local/sfn/loadDefinition.ts';
import { LocalRunner } from '../../local/sfn/localRunner.ts';
import { PAYLOAD_LIMIT_BYTES } from '../../local/sfn/payload.ts';
import { createS3Client } from '../../src/aws/clients.ts';
import { AWS_RATES_SOURCE, gbSeconds, priceRun } from '../lib/costModel.ts';
import { bytesText, int, usd } from '../lib/format.ts';
import type { ResultRow, SuiteResult } from '../lib/results.ts';
import { scenario } from './standins/_scenario.ts';

const STANDINS_DIR = fileURLToPath(new URL('./standins', import.meta.url));
const EXPORT_ASL = fileURLToPath(new URL('../../statemachines/export.asl.yml', import.meta.url));
const STATE_BUCKET = 'rt-state';
/** What each Lambda invocation is billed besides the data work (init, SDK calls) at 512 MB. */
const TASK_SECONDS = 0.1;
const TASK_MEMORY_MB = 512;

export interface OrchestrationRun {
  parts: number;
  mode: 'inline' | 'distributed';
  status: string;
  error?: string;
  stateTransitions: number;
  lambdaInvocations: number;
  childExecutions: number;
  parentHistoryEvents: number;
  largestPayloadBytes: number;
  largestPayloadWhere: string;
  costUsd: number;
  wallSeconds: number;
}

const jobDocument = {
  kind: 'export',
  name: 'bench-orchestration',
  target: { clusterIdentifier: 'local', database: 'dev', dbUser: 'awsuser' },
  iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
  table: 'public.sales',
  unload: { format: 'csv', compression: 'gzip', header: true, maxFileSize: '256 MB' },
  staging: 's3://rt-staging/bench-orchestration/{runId}/',
  destination: 's3://rt-exports/sales/run_date={runDate}/',
};

/** The largest input/output text recorded in a history. */
function largestInHistory(history: HistoryEvent[]): { bytes: number; where: string } {
  let best = { bytes: 0, where: '' };
  for (const e of history) {
    const texts: [string | undefined, string][] = [
      [e.stateEnteredEventDetails?.input, `${e.stateEnteredEventDetails?.name} input`],
      [e.stateExitedEventDetails?.output, `${e.stateExitedEventDetails?.name} output`],
      [e.executionSucceededEventDetails?.output, 'execution output'],
    ];
    for (const [text, where] of texts) {
      const bytes = text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
      if (bytes > best.bytes) best = { bytes, where };
    }
  }
  return best;
}

/**
 * Runs statemachines/export.asl.yml in the LocalRunner with stand-in tasks (bench/orchestration/
 * standins: canned outputs of the real shapes, at once) for each part count, with the part list
 * inline and through the Distributed Map, and counts what AWS would bill.
 */
export async function runOrchestration(options: { partCounts: number[] }): Promise<SuiteResult> {
  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'rt-bench-orch-'));
  const s3Server = await startS3({ dataDir });
  const s3 = createS3Client({ region: 'us-east-1', endpoint: s3Server.endpoint });
  const runs: OrchestrationRun[] = [];
  try {
    await s3.send(new CreateBucketCommand({ Bucket: STATE_BUCKET }));
    scenario.s3 = s3;
    scenario.stateBucket = STATE_BUCKET;
    const runner = new LocalRunner({
      functionsDir: STANDINS_DIR,
      waitScale: 0,
      s3Client: s3,
      env: { AWS_REGION: 'us-east-1', RT_STATE_BUCKET: STATE_BUCKET, RT_ENDPOINT_S3: s3Server.endpoint },
    });
    const definition = await loadDefinitionFile(EXPORT_ASL, {
      region: 'us-east-1',
      stateBucket: STATE_BUCKET,
    });
    const sm = runner.prepare(definition, { name: 'redshift-transfer-export', source: EXPORT_ASL });
    for (const parts of options.partCounts) {
      for (const mode of ['inline', 'distributed'] as const) {
        scenario.parts = parts;
        scenario.mode = mode;
        scenario.pollsUntilDone = 4;
        scenario.largestPayload = { bytes: 0, where: '' };
        const t0 = performance.now();
        const result = await runner.start(sm, { job: jobDocument }).done;
        const wallSeconds = (performance.now() - t0) / 1000;
        const inHistory = largestInHistory(result.history);
        const largest =
          inHistory.bytes >= scenario.largestPayload.bytes ? inHistory : scenario.largestPayload;
        const usage = {
          stateTransitions: result.stats.stateTransitions,
          lambdaInvocations: result.stats.lambdaInvocations,
          lambdaGbSeconds: gbSeconds(result.stats.lambdaInvocations, TASK_SECONDS, TASK_MEMORY_MB),
        };
        const run: OrchestrationRun = {
          parts,
          mode,
          status: result.status,
          ...(result.error ? { error: `${result.error}: ${(result.cause ?? '').slice(0, 200)}` } : {}),
          stateTransitions: usage.stateTransitions,
          lambdaInvocations: usage.lambdaInvocations,
          childExecutions: result.stats.childExecutions,
          parentHistoryEvents: result.history.length,
          largestPayloadBytes: largest.bytes,
          largestPayloadWhere: largest.where,
          costUsd: priceRun(usage).total,
          wallSeconds,
        };
        runs.push(run);
        console.log(
          `  ${mode.padEnd(11)} N=${int(parts).padStart(7)}: ${run.status}, ${int(run.stateTransitions)} transitions, ${int(run.lambdaInvocations)} Lambda calls, ${int(run.parentHistoryEvents)} parent events, largest payload ${bytesText(run.largestPayloadBytes)} (${run.largestPayloadWhere}), ${usd(run.costUsd)}, ${wallSeconds.toFixed(1)} s${run.error ? `\n      ${run.error}` : ''}`,
        );
      }
    }
  } finally {
    scenario.s3 = undefined;
    s3.destroy();
    await s3Server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return {
    name: 'orchestration',
    title: 'Orchestration (export ASL, stand-in tasks)',
    status: 'ok',
    seconds: (Date.now() - started) / 1000,
    rows: runs.map(orchestrationRow),
    notes: [
      `Cost = state transitions (parent + Distributed Map children, STANDARD) + Lambda requests + ${TASK_SECONDS} s per invocation at ${TASK_MEMORY_MB} MB; the part-processing compute itself is the same in both modes and not included. Rates: ${AWS_RATES_SOURCE}.`,
      'Inline runs that fail show why the Distributed Map is needed: the part list or the Map result passes the 256 KiB payload limit.',
    ],
    details: { runs },
    measuredAt: new Date().toISOString(),
  };
}

/** One table row for one run, checked against the goals of issue 8. */
export function orchestrationRow(run: OrchestrationRun): ResultRow {
  const budget = Math.floor(run.parts / 10) + 30;
  const ok = run.status === 'SUCCEEDED';
  const withinTransitions = run.stateTransitions <= budget;
  const withinHistory = run.parentHistoryEvents < 1000;
  const withinPayload = run.largestPayloadBytes < PAYLOAD_LIMIT_BYTES;
  const mode = run.mode === 'inline' ? 'inline Map' : 'Distributed Map, batches of 100';
  const ours = ok
    ? `${int(run.stateTransitions)} transitions, ${int(run.lambdaInvocations)} Lambda calls, ${int(run.parentHistoryEvents)} parent events, max payload ${bytesText(run.largestPayloadBytes)}, ${usd(run.costUsd)}/run`
    : `fails: ${run.error?.split(':')[0] ?? run.status} (after ${int(run.stateTransitions)} transitions)`;
  return {
    case: `N=${int(run.parts)} parts, ${mode}`,
    ours,
    reference: `≤ ${int(budget)} transitions, < 1,000 events, < 256 KiB`,
    ratio: null,
    memory: '',
    goal: 'all three',
    met: ok && withinTransitions && withinHistory && withinPayload,
  };
}
