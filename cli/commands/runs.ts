import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { LOCAL_NAME_PREFIX, stateMachineArn } from '../../local/sfn/arns.ts';
import { createS3Client, createSfnClient } from '../../src/aws/clients.ts';
import { tryParseS3Uri } from '../../src/aws/s3Uri.ts';
import { ConfigError } from '../../src/errors.ts';
import { type RunRow, runRow } from '../../src/runs/runSummary.ts';
import { fetchHistory } from '../followExecution.ts';
import { parseCommandArgs } from '../parseCommandArgs.ts';
import { emptyProgress, foldProgress, formatBytes } from '../progress.ts';
import { formatRuns } from '../runHistory.ts';
import { runningStack } from '../runningStack.ts';
import { formatSummary } from '../summary.ts';

const USAGE = `usage:
  redshift-transfer runs [job] (--local | --stage <stage>) [--limit N] [--status S]
      Recent executions, newest first: status, start, duration, rows, bytes, parts, named error.
  redshift-transfer runs show <execution name or ARN> (--local | --stage <stage>)
      The stage timeline of one execution and its report (the export's _manifest.json or the load report).
options:
  --local            the running local stack (redshift-transfer local start)
  --stage <stage>    the stage deployed with npm run deploy -- --stage <stage>
  --limit <n>        how many executions to list (default 20)
  --status <s>       RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED
  --region <region>  default AWS_REGION or us-east-1
  --data-dir <dir>   where --local looks for the running stack (default .local)
`;

const KINDS = ['export', 'load', 'transfer'] as const;
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
/** Executions described at most when filtering by job: bounds the calls a `runs <job>` makes. */
const MAX_SCANNED = 500;

const options = {
  local: { type: 'boolean' },
  stage: { type: 'string' },
  limit: { type: 'string' },
  status: { type: 'string' },
  region: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Apis {
  sfn: SFNClient;
  s3: S3Client;
  /** The project's state machines, by kind. */
  stateMachines: { kind: string; arn: string }[];
  close(): void;
}

async function open(values: {
  local?: boolean | undefined;
  stage?: string | undefined;
  region?: string | undefined;
  'data-dir'?: string | undefined;
}): Promise<Apis> {
  if (Boolean(values.local) === (values.stage !== undefined))
    throw new ConfigError(`give either --local or --stage <stage>\n${USAGE}`);
  if (values.local) {
    const stack = await runningStack(values['data-dir']);
    const sfnEndpoint =
      stack?.sfn ?? (values['data-dir'] === undefined ? process.env.RT_ENDPOINT_SFN || undefined : undefined);
    const s3Endpoint =
      stack?.s3 ?? (values['data-dir'] === undefined ? process.env.RT_ENDPOINT_S3 || undefined : undefined);
    if (sfnEndpoint === undefined || s3Endpoint === undefined)
      throw new ConfigError(
        'No running local stack found: start it first (npx --no-install redshift-transfer local start); runs started with run --local while it runs are listed here.',
      );
    const region = stack?.region ?? values.region ?? process.env.AWS_REGION ?? 'us-east-1';
    const sfn = createSfnClient({ region, endpoint: sfnEndpoint });
    const s3 = createS3Client({ region, endpoint: s3Endpoint });
    return {
      sfn,
      s3,
      stateMachines: KINDS.map((kind) => ({ kind, arn: stateMachineArn(region, kind) })),
      close: () => {
        sfn.destroy();
        s3.destroy();
      },
    };
  }
  const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const sfn = createSfnClient({ region });
  const s3 = createS3Client({ region });
  const stateMachines: Apis['stateMachines'] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken }));
    for (const sm of page.stateMachines ?? []) {
      const kind = KINDS.find((k) => sm.name === `${LOCAL_NAME_PREFIX}-${values.stage}-${k}`);
      if (kind !== undefined && sm.stateMachineArn) stateMachines.push({ kind, arn: sm.stateMachineArn });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  if (stateMachines.length === 0) {
    sfn.destroy();
    s3.destroy();
    throw new ConfigError(
      `No state machine named ${LOCAL_NAME_PREFIX}-${values.stage}-<kind> in ${region}: deploy the stage (npm run deploy -- --stage ${values.stage}) or check --region`,
    );
  }
  return {
    sfn,
    s3,
    stateMachines,
    close: () => {
      sfn.destroy();
      s3.destroy();
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, options, USAGE);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals[0] === 'show') {
    const id = positionals[1];
    if (id === undefined || positionals.length > 2)
      throw new ConfigError(`give one execution name or ARN\n${USAGE}`);
    const apis = await open(values);
    try {
      process.stdout.write(await showRun(apis, id));
      return 0;
    } finally {
      apis.close();
    }
  }
  if (positionals.length > 1) throw new ConfigError(`give at most one job name\n${USAGE}`);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!(Number.isInteger(limit) && limit > 0))
    throw new ConfigError(`--limit must be a whole number > 0 (got "${values.limit}")`);
  const status = values.status?.toUpperCase();
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status))
    throw new ConfigError(`--status must be one of ${STATUSES.join(', ')} (got "${values.status}")`);
  const apis = await open(values);
  try {
    const rows = await listRuns(apis, { job: positionals[0], limit, status });
    process.stdout.write(rows.length === 0 ? 'no executions\n' : formatRuns(rows, new Date()));
    return 0;
  } finally {
    apis.close();
  }
}

/**
 * The newest executions of the project's state machines (optionally of one job, one status):
 * ListExecutions on each, merged by start date, each described for its figures and job.
 */
export async function listRuns(
  apis: Pick<Apis, 'sfn' | 'stateMachines'>,
  filter: { job?: string | undefined; limit: number; status?: string | undefined },
): Promise<RunRow[]> {
  const listed: { kind: string; arn: string; start: number }[] = [];
  const perMachine = filter.job === undefined ? filter.limit : MAX_SCANNED;
  for (const sm of apis.stateMachines) {
    let nextToken: string | undefined;
    let count = 0;
    do {
      const page = await apis.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: sm.arn,
          maxResults: Math.min(1000, perMachine),
          nextToken,
          ...(filter.status ? { statusFilter: filter.status as (typeof STATUSES)[number] } : {}),
        }),
      );
      for (const e of page.executions ?? []) {
        if (e.executionArn)
          listed.push({ kind: sm.kind, arn: e.executionArn, start: e.startDate?.getTime() ?? 0 });
        count++;
      }
      nextToken = page.nextToken;
    } while (nextToken && count < perMachine);
  }
  listed.sort((a, b) => b.start - a.start);
  const rows: RunRow[] = [];
  for (const e of listed.slice(0, filter.job === undefined ? filter.limit : MAX_SCANNED)) {
    const d = await apis.sfn.send(new DescribeExecutionCommand({ executionArn: e.arn }));
    const row = runRow(e.kind, d);
    if (filter.job !== undefined && row.job !== filter.job) continue;
    rows.push(row);
    if (rows.length >= filter.limit) break;
  }
  return rows;
}

/** An execution by ARN, or by name among the project's state machines. */
async function findExecution(
  apis: Apis,
  id: string,
): Promise<{ kind: string; d: DescribeExecutionCommandOutput }> {
  const candidates = id.startsWith('arn:')
    ? [
        {
          kind:
            apis.stateMachines.find((sm) => id.startsWith(sm.arn.replace(':stateMachine:', ':execution:')))
              ?.kind ?? '?',
          arn: id,
        },
      ]
    : apis.stateMachines.map((sm) => ({
        kind: sm.kind,
        arn: `${sm.arn.replace(':stateMachine:', ':execution:')}:${id}`,
      }));
  for (const c of candidates) {
    try {
      return { kind: c.kind, d: await apis.sfn.send(new DescribeExecutionCommand({ executionArn: c.arn })) };
    } catch (error) {
      if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
    }
  }
  throw new ConfigError(
    `No execution "${id}" in the ${apis.stateMachines.map((s) => s.kind).join(', ')} state machines; list them with: redshift-transfer runs`,
  );
}

/** `runs show`: the summary with the stage timeline (cli/summary.ts), then the run's report. */
export async function showRun(apis: Apis, id: string): Promise<string> {
  const { d } = await findExecution(apis, id);
  const history = await fetchHistory(apis.sfn, d.executionArn ?? '');
  let text = formatSummary(d, history, foldProgress(emptyProgress(), history));
  const result = (() => {
    try {
      return (JSON.parse(d.output ?? '{}') as { result?: Record<string, unknown> }).result;
    } catch {
      return undefined;
    }
  })();
  if (result !== undefined && 'merged' in result) {
    text += 'load report\n';
    for (const [key, value] of Object.entries(result)) text += `  ${key.padEnd(14)} ${String(value)}\n`;
  } else if (typeof result?.manifestUri === 'string') {
    text += await manifestReport(apis.s3, result.manifestUri);
  }
  return text;
}

/** The export's `_manifest.json` as a short report (the first parts, not all 100,000). */
async function manifestReport(s3: S3Client, uri: string): Promise<string> {
  const m = tryParseS3Uri(uri);
  if (m === undefined || m.key === '') return `manifest ${uri} (not an S3 URI)\n`;
  let manifest: {
    job?: string;
    runId?: string;
    runDate?: string;
    destination?: string;
    format?: string;
    compression?: string;
    rows?: number;
    bytes?: number;
    schema?: { name: string; type?: string }[];
    parts?: { url: string; rows: number; bytes: number }[];
  };
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: m.bucket, Key: m.key }));
    manifest = JSON.parse((await out.Body?.transformToString()) ?? '{}');
  } catch (error) {
    return `manifest ${uri}: not readable (${(error as Error).name}): the output may have been replaced by a later run\n`;
  }
  const parts = manifest.parts ?? [];
  const lines = [
    `manifest ${uri}`,
    `  job            ${manifest.job ?? '-'} (run ${manifest.runId ?? '-'}, date ${manifest.runDate ?? '-'})`,
    `  destination    ${manifest.destination ?? '-'}`,
    `  format         ${manifest.format ?? '-'} ${manifest.compression ?? ''}`.trimEnd(),
    `  rows           ${(manifest.rows ?? 0).toLocaleString('en-US')}`,
    `  bytes          ${formatBytes(manifest.bytes ?? 0)}`,
    `  columns        ${(manifest.schema ?? []).map((c) => (c.type ? `${c.name} ${c.type}` : c.name)).join(', ')}`,
    `  parts          ${parts.length}`,
    ...parts
      .slice(0, 10)
      .map((p) => `    ${p.url}  ${p.rows.toLocaleString('en-US')} rows  ${formatBytes(p.bytes)}`),
    ...(parts.length > 10 ? [`    ... ${parts.length - 10} more in the manifest`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
