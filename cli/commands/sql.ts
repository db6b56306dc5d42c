import { readFile } from 'node:fs/promises';
import { text as streamText } from 'node:stream/consumers';
import { joinTokens, splitStatements, tokenize } from '../../local/redshift/sql/tokenize.ts';
import { createRedshiftDataClient } from '../../src/aws/clients.ts';
import { runSql, type SqlRun } from '../../src/dataapi/runStatements.ts';
import { ConfigError, JobValidationError } from '../../src/errors.ts';
import type { RedshiftTarget } from '../../src/job/common.ts';
import type { Job } from '../../src/job/job.ts';
import { explainSqlError, formatResult, type ResultFormat, resultFormats } from '../formatResult.ts';
import { parseCommandArgs } from '../parseCommandArgs.ts';
import { jobsDirOf, resolveJob } from '../resolveJob.ts';
import { runningStack } from '../runningStack.ts';

const USAGE = `usage: redshift-transfer sql [target] [options] (<sql>... | --file <file.sql> | -)
  Runs SQL through the Redshift Data API, waits for it (long poll) and prints the result.
target (one of):
  --local                     the running local stack (redshift-transfer local start)
  --job <job> [--side source|destination]
                              the Redshift target of a job document (a file, or a name in jobs/)
  --cluster-identifier <id> (--db-user <user> | --secret-arn <arn>)
  --workgroup-name <name> [--secret-arn <arn>]
options:
  --database <db>             overrides the target's database (default dev for --local)
  --batch                     run every statement in one BatchExecuteStatement (one transaction)
  --format table|csv|json     how result rows are printed (default table; json = JSON Lines)
  --file <file.sql>           read the SQL from a file ("-" or no SQL: standard input)
  --timeout <seconds>         cancel a statement still running after this long (default 3600)
  --region <region>           default AWS_REGION or us-east-1
  --endpoint <url>            a Data API endpoint (default: AWS, or the local stack's with --local)
  --data-dir <dir>            where --local looks for the running stack (default .local)
  --jobs-dir <dir>            where job names are looked up (default RT_JOBS_DIR, else jobs)
Without --batch, several statements run one after the other and stop at the first error.
`;

const options = {
  local: { type: 'boolean' },
  job: { type: 'string' },
  side: { type: 'string' },
  'cluster-identifier': { type: 'string' },
  'workgroup-name': { type: 'string' },
  'db-user': { type: 'string' },
  'secret-arn': { type: 'string' },
  database: { type: 'string' },
  batch: { type: 'boolean' },
  format: { type: 'string' },
  file: { type: 'string' },
  timeout: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'data-dir': { type: 'string' },
  'jobs-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

export interface SqlArgs {
  values: Values;
  sqlArgs: string[];
  format: ResultFormat;
  timeoutSeconds: number;
}

/** Parses `sql` arguments; a wrong combination is a ConfigError that says what to give instead. */
export function parseSqlArgs(argv: string[]): SqlArgs | 'help' {
  const { values, positionals } = parseCommandArgs(argv, options, USAGE);
  if (values.help) return 'help';
  const targets = [values.local, values.job, values['cluster-identifier'], values['workgroup-name']].filter(
    (v) => v !== undefined && v !== false,
  );
  if (targets.length !== 1) {
    throw new ConfigError(
      `give exactly one target: --local, --job <job>, --cluster-identifier <id> or --workgroup-name <name>\n${USAGE}`,
    );
  }
  const format = (values.format ?? 'table') as ResultFormat;
  if (!resultFormats.includes(format))
    throw new ConfigError(`--format must be one of ${resultFormats.join(', ')} (got "${values.format}")`);
  const timeoutSeconds = values.timeout === undefined ? 3600 : Number(values.timeout);
  if (!(Number.isInteger(timeoutSeconds) && timeoutSeconds > 0))
    throw new ConfigError(`--timeout must be a whole number of seconds > 0 (got "${values.timeout}")`);
  if (values.side !== undefined && values.side !== 'source' && values.side !== 'destination')
    throw new ConfigError(`--side must be "source" or "destination" (got "${values.side}")`);
  if (values.file !== undefined && positionals.length > 0)
    throw new ConfigError('give the SQL either as arguments or with --file, not both');
  return { values, sqlArgs: positionals, format, timeoutSeconds };
}

interface Connection {
  target: RedshiftTarget;
  region: string;
  endpoint?: string | undefined;
}

/** The Redshift target of a job: export/load `target`, transfer `source.target` or `destination.target`. */
export function jobTarget(job: Job, side: 'source' | 'destination' | undefined): RedshiftTarget {
  if (job.kind === 'transfer') return side === 'source' ? job.source.target : job.destination.target;
  if (side !== undefined)
    throw new ConfigError(`--side applies to transfer jobs only (${job.name} is ${job.kind})`);
  return job.target;
}

async function connection(values: Values): Promise<Connection> {
  const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const database = values.database;
  if (values.local) {
    const stack = await runningStack(values['data-dir']);
    const endpoint =
      values.endpoint ??
      stack?.redshiftData ??
      // An explicit --data-dir means that stack; otherwise the environment local start's users export.
      (values['data-dir'] === undefined ? process.env.RT_ENDPOINT_REDSHIFT_DATA || undefined : undefined);
    if (endpoint === undefined) {
      throw new ConfigError(
        'No running local stack found: start it first (npx --no-install redshift-transfer local start), or pass --endpoint http://127.0.0.1:PORT',
      );
    }
    return {
      region: stack?.region ?? region,
      endpoint,
      target: {
        clusterIdentifier: stack?.clusterIdentifier ?? 'local',
        database: database ?? stack?.database ?? 'dev',
      },
    };
  }
  const endpoint = values.endpoint;
  if (values.job !== undefined) {
    let job: Job;
    try {
      job = (await resolveJob(values.job, jobsDirOf(values['jobs-dir']))).job;
    } catch (error) {
      if (error instanceof JobValidationError) throw new ConfigError(error.message);
      throw error;
    }
    const target = jobTarget(job, values.side as 'source' | 'destination' | undefined);
    return { region, endpoint, target: database === undefined ? target : { ...target, database } };
  }
  if (database === undefined)
    throw new ConfigError('give --database <db> with a cluster or workgroup target');
  if (values['workgroup-name'] !== undefined) {
    return {
      region,
      endpoint,
      target: {
        workgroupName: values['workgroup-name'],
        database,
        ...(values['secret-arn'] ? { secretArn: values['secret-arn'] } : {}),
      },
    };
  }
  if ((values['db-user'] === undefined) === (values['secret-arn'] === undefined))
    throw new ConfigError('a cluster target needs exactly one of --db-user <user> or --secret-arn <arn>');
  return {
    region,
    endpoint,
    target: {
      clusterIdentifier: values['cluster-identifier'] ?? '',
      database,
      ...(values['db-user'] ? { dbUser: values['db-user'] } : {}),
      ...(values['secret-arn'] ? { secretArn: values['secret-arn'] } : {}),
    },
  };
}

/** The statements of a SQL text, split at top-level semicolons (never inside literals or comments). */
export function statementsOf(sql: string): string[] {
  return splitStatements(tokenize(sql)).map((tokens) => joinTokens(tokens).trim());
}

/** What `sql` prints for one run: results on stdout, Redshift errors (with the position) and timing on stderr. */
export function renderSqlRun(run: SqlRun, format: ResultFormat): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  for (const s of run.statements) {
    if (s.error !== undefined) {
      stderr += `${explainSqlError(s.sql, s.error)}\n`;
    } else if (s.result !== undefined) {
      stdout += formatResult(s.result, format);
      const n = s.result.rows.length;
      if (format === 'table') stdout += `(${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'})\n`;
    } else if (format === 'table') {
      stdout +=
        s.rows === undefined
          ? 'OK\n'
          : `OK, ${s.rows.toLocaleString('en-US')} row${s.rows === 1 ? '' : 's'} affected\n`;
    }
  }
  const seconds = (run.millis / 1000).toFixed(3);
  stderr += `${run.ok ? 'Time' : 'Failed after'}: ${seconds} s (${run.statements.length} statement${run.statements.length === 1 ? '' : 's'})\n`;
  return { stdout, stderr };
}

async function readSql(args: SqlArgs): Promise<string> {
  if (args.values.file !== undefined && args.values.file !== '-') return readFile(args.values.file, 'utf8');
  if (args.sqlArgs.length > 0 && !(args.sqlArgs.length === 1 && args.sqlArgs[0] === '-'))
    return args.sqlArgs.map((s) => (s.trimEnd().endsWith(';') ? s : `${s};`)).join('\n');
  if (process.stdin.isTTY) throw new ConfigError(`no SQL given\n${USAGE}`);
  return streamText(process.stdin);
}

/** `sql`: exit 0 when every statement succeeded, 1 when Redshift refused one, 2 on bad usage. */
export async function run(argv: string[]): Promise<number> {
  const args = parseSqlArgs(argv);
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const sqls = statementsOf(await readSql(args));
  if (sqls.length === 0) throw new ConfigError('the SQL holds no statement');
  if (args.values.batch && sqls.length > 40)
    throw new ConfigError(`a batch holds at most 40 statements (the Data API's limit); got ${sqls.length}`);
  const { target, region, endpoint } = await connection(args.values);
  const client = createRedshiftDataClient({ region, ...(endpoint ? { endpoint } : {}) });
  try {
    const result = await runSql(client, target, sqls, {
      batch: Boolean(args.values.batch),
      timeoutSeconds: args.timeoutSeconds,
    });
    const out = renderSqlRun(result, args.format);
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
    return result.ok ? 0 : 1;
  } finally {
    client.destroy();
  }
}
