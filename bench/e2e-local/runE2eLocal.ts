import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { resetRuntime } from '../../functions/_shared/runtime.ts';
import { stateMachineArn } from '../../local/sfn/arns.ts';
import { startLocalStack } from '../../local/stack.ts';
import { int, seconds } from '../lib/format.ts';
import type { ResultRow, SuiteResult } from '../lib/results.ts';
import { SALES_TABLE_DDL, salesCsvRows } from '../part-processing/salesCsv.ts';

const LOAD_ASL = fileURLToPath(new URL('../../statemachines/load.asl.yml', import.meta.url));
/** The workflow may take at most this many times the raw engine path (issue 8). */
export const E2E_GOAL_FACTOR = 2;

/** Seconds between the first entry into `from` and the first entry into `to` (or the end). */
export function stageSeconds(history: HistoryEvent[], from: string, to: string | undefined): number | null {
  const entered = (name: string) =>
    history.find((e) => e.stateEnteredEventDetails?.name === name && e.type?.endsWith('StateEntered'));
  const start = entered(from);
  const end = to === undefined ? history.at(-1) : entered(to);
  if (start?.timestamp === undefined || end?.timestamp === undefined) return null;
  return (end.timestamp.getTime() - start.timestamp.getTime()) / 1000;
}

/** The export's stages as the state machine names them; a Map state is whichever mode ran. */
export function exportStages(history: HistoryEvent[]): Record<string, number | null> {
  const ran = (name: string) => history.some((e) => e.stateEnteredEventDetails?.name === name);
  const map = ran('ProcessPartsDistributed') ? 'ProcessPartsDistributed' : 'ProcessPartsInline';
  return {
    plan: stageSeconds(history, 'PlanExport', 'StartUnload'),
    unload: stageSeconds(history, 'StartUnload', 'PlanParts'),
    planParts: stageSeconds(history, 'PlanParts', map),
    parts: stageSeconds(history, map, 'FinalizeExport'),
    finalize: stageSeconds(history, 'FinalizeExport', 'DropPartLists'),
  };
}

/** The load's stages: plan (list + check sources), prepare parts, COPY + merge, finish. */
export function loadStagesOf(history: HistoryEvent[]): Record<string, number | null> {
  return {
    plan: stageSeconds(history, 'StartLoadPlan', 'PrepareParts'),
    prepare: stageSeconds(history, 'PrepareParts', 'StartLoad'),
    copyMerge: stageSeconds(history, 'StartLoad', 'FinishLoad'),
    finish: stageSeconds(history, 'FinishLoad', undefined),
  };
}

const stageText = (stages: Record<string, number | null>) =>
  Object.entries(stages)
    .map(([k, v]) => `${k} ${v === null ? '-' : seconds(v)}`)
    .join(', ');

/**
 * Export (and load, once its state machine exists) of `rows` sales rows through the whole local
 * workflow — local stack, Step Functions API, real state machines and handlers — against the
 * engine's own COPY TO/FROM of the same rows over one connection.
 */
export async function runE2eLocal(options: { rows: number; workDir: string }): Promise<SuiteResult> {
  const started = Date.now();
  await mkdir(options.workDir, { recursive: true });
  const dataDir = await mkdtemp(join(options.workDir, 'stack-'));
  const notes: string[] = [];
  const rows: ResultRow[] = [];
  const details: Record<string, unknown> = { rows: options.rows };
  const stack = await startLocalStack({ dataDir, waitScale: 0, onEnvChange: resetRuntime });
  const sfn = new SFNClient({
    region: stack.endpoints.region,
    endpoint: stack.endpoints.sfn,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const db = new pg.Client(stack.postgres.urlFor(stack.database));
  try {
    await db.connect();
    await db.query('DROP TABLE IF EXISTS sales');
    await db.query(SALES_TABLE_DDL);

    // Raw COPY FROM: the same rows straight into the engine (this also seeds the table).
    let t0 = performance.now();
    const chunks = salesCsvRows(options.rows);
    await pipeline(chunks, db.query(copyFrom('COPY sales FROM STDIN WITH (FORMAT csv)')));
    const rawCopyFrom = (performance.now() - t0) / 1000;
    await db.query('ANALYZE sales');
    console.log(`  raw COPY FROM of ${int(options.rows)} rows: ${seconds(rawCopyFrom)}`);

    // Raw COPY TO: the engine writing the rows out as CSV, consumed as fast as it comes.
    t0 = performance.now();
    let rawBytes = 0;
    await pipeline(
      db.query(copyTo('COPY (SELECT * FROM sales) TO STDOUT WITH (FORMAT csv, HEADER)')),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          rawBytes += chunk.length;
          done();
        },
      }),
    );
    const rawCopyTo = (performance.now() - t0) / 1000;
    console.log(`  raw COPY TO: ${seconds(rawCopyTo)} (${int(rawBytes / 1e6)} MB CSV)`);

    // The same bytes UNLOAD writes: COPY TO, gzip level 6 (zlib's default, as UNLOAD ... GZIP).
    t0 = performance.now();
    await pipeline(
      db.query(copyTo('COPY (SELECT * FROM sales) TO STDOUT WITH (FORMAT csv, HEADER)')),
      createGzip(),
      new Writable({
        write(_chunk: Buffer, _encoding, done) {
          done();
        },
      }),
    );
    const rawCopyToGzip = (performance.now() - t0) / 1000;
    console.log(`  raw COPY TO | gzip: ${seconds(rawCopyToGzip)}`);

    const runWorkflow = async (kind: string, input: unknown) => {
      const t = performance.now();
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: stateMachineArn(stack.endpoints.region, kind),
          input: JSON.stringify(input),
          name: `bench-e2e-${kind}-${Date.now()}`,
        }),
      );
      const done = await stack.sfn.whenDone(executionArn ?? '');
      const wall = (performance.now() - t) / 1000;
      const history = stack.sfn.executions.get(executionArn ?? '')?.history ?? [];
      if (done.status !== 'SUCCEEDED') {
        throw new Error(`the ${kind} workflow ended ${done.status}: ${done.error}: ${done.cause}`);
      }
      return {
        wall,
        history,
        output: JSON.parse(done.output ?? '{}') as { result?: Record<string, unknown> },
      };
    };

    // The export workflow, started through the Step Functions API like the CLI does.
    const job = {
      kind: 'export',
      name: 'bench-e2e-export',
      target: { clusterIdentifier: 'local', database: stack.database, dbUser: 'awsuser' },
      iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
      table: 'public.sales',
      unload: { format: 'csv', compression: 'gzip', header: true },
      staging: 's3://rt-staging/bench-e2e/{runId}/',
      destination: 's3://rt-exports/bench-e2e/{runDate}/{runId}/',
    };
    const exported = await runWorkflow('export', { job, runDate: '2024-01-01' });
    const exportSeconds = exported.wall;
    const history = exported.history;
    const result = exported.output.result as
      | { rows?: number; parts?: number; destination?: string }
      | undefined;
    if (result?.rows !== options.rows) {
      throw new Error(`the export workflow reported ${result?.rows} rows, expected ${options.rows}`);
    }
    const stages = exportStages(history);
    details.export = { seconds: exportSeconds, stages, result, rawCopyTo, rawCopyToGzip, rawBytes };
    console.log(
      `  export workflow: ${seconds(exportSeconds)} (${stageText(stages)}), ${result.parts} parts -> ${(rawCopyTo / exportSeconds).toFixed(2)}x raw`,
    );
    rows.push({
      case: `export ${int(options.rows)} rows (${result.parts} parts, csv gzip)`,
      ours: `${seconds(exportSeconds)}: ${stageText(stages)}`,
      reference: `raw COPY TO STDOUT: ${seconds(rawCopyTo)}`,
      ratio: rawCopyTo / exportSeconds,
      memory: '',
      goal: `≤ ${E2E_GOAL_FACTOR}x raw (≥ ${(1 / E2E_GOAL_FACTOR).toFixed(2)}x)`,
      met: exportSeconds <= E2E_GOAL_FACTOR * rawCopyTo,
    });
    rows.push({
      case: `export ${int(options.rows)} rows, against a raw path that also gzips`,
      ours: seconds(exportSeconds),
      reference: `raw COPY TO STDOUT | gzip -6: ${seconds(rawCopyToGzip)}`,
      ratio: rawCopyToGzip / exportSeconds,
      memory: '',
      goal: `≤ ${E2E_GOAL_FACTOR}x raw (≥ ${(1 / E2E_GOAL_FACTOR).toFixed(2)}x)`,
      met: exportSeconds <= E2E_GOAL_FACTOR * rawCopyToGzip,
    });

    if (!existsSync(LOAD_ASL)) {
      details.load = { rawCopyFrom };
      notes.push(
        'The load workflow (statemachines/load.asl.yml) had not landed when this ran: only the raw COPY FROM was measured.',
      );
      rows.push({
        case: `load ${int(options.rows)} rows`,
        ours: 'not measured: no load state machine yet',
        reference: `raw COPY FROM STDIN: ${seconds(rawCopyFrom)}`,
        ratio: null,
        memory: '',
        goal: `≤ ${E2E_GOAL_FACTOR}x raw`,
        met: null,
      });
    } else {
      // Load what the export wrote into a copy of the table.
      await db.query('DROP TABLE IF EXISTS sales_copy');
      await db.query('CREATE TABLE sales_copy (LIKE sales)');
      const loadJob = {
        kind: 'load',
        name: 'bench-e2e-load',
        target: { clusterIdentifier: 'local', database: stack.database, dbUser: 'awsuser' },
        iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
        table: 'public.sales_copy',
        source: { prefix: result.destination, suffix: '.gz' },
        staging: 's3://rt-staging/bench-loads/',
        format: { type: 'csv', header: true, compression: 'gzip' },
        // The local Data API has no STV_SLICES; two slices match the machine's two cores.
        slices: 2,
      };
      let loaded: Awaited<ReturnType<typeof runWorkflow>> | undefined;
      try {
        loaded = await runWorkflow('load', { job: loadJob, runDate: '2024-01-01' });
      } catch (error) {
        const message = (error as Error).message;
        console.log(`  load workflow failed: ${message}`);
        details.load = { rawCopyFrom, error: message };
        rows.push({
          case: `load ${int(options.rows)} rows (the export's parts, csv gzip, append)`,
          ours: `fails: ${message.slice(0, 160)}`,
          reference: `raw COPY FROM STDIN: ${seconds(rawCopyFrom)}`,
          ratio: null,
          memory: '',
          goal: `≤ ${E2E_GOAL_FACTOR}x raw`,
          met: false,
        });
      }
      if (loaded !== undefined) {
        const count = await db.query<{ n: string }>('SELECT count(*) AS n FROM sales_copy');
        if (Number(count.rows[0]?.n) !== options.rows) {
          throw new Error(
            `the load workflow left ${count.rows[0]?.n} rows in sales_copy, expected ${options.rows}`,
          );
        }
        const loadStages = loadStagesOf(loaded.history);
        details.load = {
          seconds: loaded.wall,
          stages: loadStages,
          result: loaded.output.result,
          rawCopyFrom,
        };
        console.log(
          `  load workflow: ${seconds(loaded.wall)} (${stageText(loadStages)}) -> ${(rawCopyFrom / loaded.wall).toFixed(2)}x raw`,
        );
        rows.push({
          case: `load ${int(options.rows)} rows (the export's parts, csv gzip, append)`,
          ours: `${seconds(loaded.wall)}: ${stageText(loadStages)}`,
          reference: `raw COPY FROM STDIN: ${seconds(rawCopyFrom)}`,
          ratio: rawCopyFrom / loaded.wall,
          memory: '',
          goal: `≤ ${E2E_GOAL_FACTOR}x raw (≥ ${(1 / E2E_GOAL_FACTOR).toFixed(2)}x)`,
          met: loaded.wall <= E2E_GOAL_FACTOR * rawCopyFrom,
        });
      }
    }
    notes.push(
      "Everything shares 2 cores: PostgreSQL, the Data API emulator (UNLOAD writes the parts), the local S3 and the handlers. Raw paths use one pg connection and pg-copy-streams; the raw COPY TO neither compresses nor stores its output, so the ratio includes UNLOAD's gzip and two S3 round trips per part.",
    );
  } finally {
    sfn.destroy();
    await db.end().catch(() => {});
    // A stop that hangs (a server waiting on a connection nobody reads) must not hang the
    // benchmark: the stack's children are killed when this process exits anyway.
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      stack.stop().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), 30_000);
      }),
    ]);
    clearTimeout(timer);
    if (stopped) await rm(dataDir, { recursive: true, force: true });
    else {
      console.log(
        `  warning: the local stack did not stop within 30 s; its servers end with this process (${dataDir} kept)`,
      );
      notes.push(
        'The local stack did not stop within 30 s after the run (a server waited on an unread connection); see the report.',
      );
    }
  }
  return {
    name: 'e2e-local',
    title: 'End to end, local stack',
    status: 'ok',
    seconds: (Date.now() - started) / 1000,
    rows,
    notes,
    details,
    measuredAt: new Date().toISOString(),
  };
}
