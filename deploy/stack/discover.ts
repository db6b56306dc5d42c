import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.ts';
import { jobNameSchema } from '../../src/job/common.ts';
import { formatIssues } from '../../src/validation/formatIssues.ts';

/** A Lambda entry: `functions/<name>.ts` (relative, POSIX separators). */
export interface FunctionSource {
  name: string;
  file: string;
}

/** An ASL file `statemachines/<kind>.asl.yml`, parsed. */
export interface StateMachineSource {
  kind: string;
  file: string;
  definition: Record<string, unknown>;
}

/**
 * Every Lambda entry in `functions/`: one `.ts` file per task. `_shared/` and files starting with
 * `_` are helpers, not functions. Sorted, so the generated template is stable.
 */
export async function discoverFunctions(rootDir: string): Promise<FunctionSource[]> {
  const entries = await readdirIfExists(path.join(rootDir, 'functions'));
  return entries
    .filter((e) => e.isFile() && /^[a-z][A-Za-z0-9]*\.ts$/.test(e.name) && !e.name.endsWith('.test.ts'))
    .map((e) => ({ name: e.name.slice(0, -'.ts'.length), file: `functions/${e.name}` }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every `statemachines/<kind>.asl.yml` (or `.asl.json`), parsed; a YAML error names file and line. */
export async function discoverStateMachines(rootDir: string): Promise<StateMachineSource[]> {
  const entries = await readdirIfExists(path.join(rootDir, 'statemachines'));
  const machines: StateMachineSource[] = [];
  for (const e of entries) {
    const match = /^([a-z][a-z0-9-]*)\.asl\.(yml|yaml|json)$/.exec(e.name);
    if (!e.isFile() || !match?.[1]) continue;
    const file = `statemachines/${e.name}`;
    const definition = await readYamlObject(rootDir, file);
    machines.push({ kind: match[1], file, definition });
  }
  return machines.sort((a, b) => a.kind.localeCompare(b.kind));
}

/** EventBridge Scheduler expressions: `cron(...)` (6 fields), `rate(n unit)` or `at(yyyy-mm-ddThh:mm:ss)`. */
export const scheduleExpressionSchema = z
  .string()
  .trim()
  .regex(
    /^(cron\((\S+ ){5}\S+\)|rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\))$/,
    'expected "cron(min hour day-of-month month day-of-week year)", "rate(1 day)" or "at(2026-01-31T02:00:00)"',
  );

/** A job's `schedule`: an expression, or the expression with its time zone and switch. */
export const jobScheduleSchema = z.union([
  scheduleExpressionSchema.transform((expression) => ({
    expression,
    enabled: true,
    timezone: undefined as string | undefined,
    description: undefined as string | undefined,
  })),
  z
    .object({
      expression: scheduleExpressionSchema,
      /** IANA time zone (`Europe/Paris`); cron runs in this zone, across daylight-saving changes. */
      timezone: z
        .string()
        .trim()
        .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'expected an IANA time zone like "Europe/Paris" or "UTC"')
        .optional(),
      enabled: z.boolean().default(true),
      description: z.string().max(512).optional(),
    })
    .strict(),
]);
export type JobSchedule = z.infer<typeof jobScheduleSchema>;

const scheduledJobHeadSchema = z.object({
  kind: z.enum(['export', 'load', 'transfer']),
  name: jobNameSchema,
  schedule: jobScheduleSchema,
});

/** A job document from `jobs/` that declares a `schedule`. */
export interface ScheduledJob {
  name: string;
  kind: 'export' | 'load' | 'transfer';
  file: string;
  schedule: JobSchedule;
  /** The job document as the state machine receives it: the file's content without `schedule`. */
  document: Record<string, unknown>;
}

/**
 * Job documents in `jobs/*.yml|yaml|json` that declare a `schedule`. Documents without one are
 * run by hand or by S3 events and are ignored here. A scheduled document must name its `kind` and
 * `name`; the rest of it is validated by the first task of its state machine at run time.
 */
export async function discoverScheduledJobs(rootDir: string): Promise<ScheduledJob[]> {
  const entries = await readdirIfExists(path.join(rootDir, 'jobs'));
  const jobs: ScheduledJob[] = [];
  for (const e of entries) {
    if (!e.isFile() || !/\.(ya?ml|json)$/.test(e.name)) continue;
    const file = `jobs/${e.name}`;
    const doc = await readYamlObject(rootDir, file);
    if (doc.schedule === undefined) continue;
    const head = scheduledJobHeadSchema.safeParse(doc);
    if (!head.success) {
      throw new ConfigError(
        `${file}: invalid scheduled job:\n  - ${formatIssues(head.error.issues).join('\n  - ')}\nFix the document or remove its "schedule".`,
      );
    }
    const { schedule: _schedule, ...document } = doc;
    jobs.push({ name: head.data.name, kind: head.data.kind, file, schedule: head.data.schedule, document });
  }
  const seen = new Map<string, string>();
  for (const job of jobs) {
    const other = seen.get(job.name);
    if (other !== undefined) {
      throw new ConfigError(
        `${job.file}: job name "${job.name}" is also used by ${other}; names must be unique.`,
      );
    }
    seen.set(job.name, job.file);
  }
  return jobs.sort((a, b) => a.name.localeCompare(b.name));
}

async function readdirIfExists(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Reads a YAML (or JSON) file whose top level must be a mapping; errors name the file and line. */
export async function readYamlObject(rootDir: string, file: string): Promise<Record<string, unknown>> {
  const text = await readFile(path.join(rootDir, file), 'utf8');
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = first.linePos?.[0]?.line;
    throw new ConfigError(`${file}${line === undefined ? '' : `:${line}`}: ${first.message}`);
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${file}: expected a mapping at the top level`);
  }
  return value as Record<string, unknown>;
}
