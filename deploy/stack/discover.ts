import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../../src/errors.ts';
import type { Schedule } from '../../src/job/exportJob.ts';
import type { JobKind } from '../../src/job/job.ts';
import { listJobFiles } from '../../src/job/jobFiles.ts';
import type { TriggerRule } from '../../src/job/loadJob.ts';
import { type ResolvedJob, resolveJob } from '../../src/job/resolveJob.ts';

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

/**
 * A job's `schedule` as the job schema reads it; `timezone` only when the document names one
 * (the schema defaults it to UTC, the stage's `scheduleTimezone` applies instead).
 */
export type JobSchedule = Omit<Schedule, 'timezone'> & { timezone?: string | undefined };

/** A load job's `trigger`: the S3 objects whose "Object Created" events start it. */
export type JobTrigger = TriggerRule;

/** A job document from `jobs/`, validated by the job schema the state machines use. */
export interface JobSource {
  name: string;
  kind: JobKind;
  file: string;
  /** The job document as the state machine receives it: the file's content without `schedule`. */
  document: Record<string, unknown>;
  schedule?: JobSchedule | undefined;
  trigger?: JobTrigger | undefined;
}

/**
 * Every job document in `jobs/*.yml|yaml|json`, read once through `resolveJob` (src/job): a bad
 * document fails packaging with every problem listed by path, as it would fail its run. The
 * S3-event trigger is deployed with these files; schedules and event rules come from them.
 */
export async function discoverJobs(rootDir: string): Promise<JobSource[]> {
  const jobs: JobSource[] = [];
  for (const found of await listJobFiles(path.join(rootDir, 'jobs'))) {
    const file = `jobs/${path.basename(found)}`;
    let resolved: ResolvedJob;
    try {
      resolved = await resolveJob({ file: path.join(rootDir, file) });
    } catch (error) {
      throw new ConfigError((error as Error).message.replace(path.join(rootDir, file), file), {
        cause: error,
      });
    }
    const { job } = resolved;
    // The file is a mapping (the schema accepted it); the raw schedule tells a default from a choice.
    const { schedule: rawSchedule, ...document } = resolved.document as Record<string, unknown>;
    const written = rawSchedule as { timezone?: string } | undefined;
    jobs.push({
      name: job.name,
      kind: job.kind,
      file,
      document,
      schedule:
        job.schedule === undefined
          ? undefined
          : {
              expression: job.schedule.expression,
              timezone: written?.timezone === undefined ? undefined : job.schedule.timezone,
              enabled: job.schedule.enabled,
            },
      trigger: job.kind === 'load' ? job.trigger : undefined,
    });
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
