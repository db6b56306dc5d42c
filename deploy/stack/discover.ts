import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../../src/errors.ts';
import { loadJobFile } from '../../src/job/job.ts';

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

/** A job's `schedule` as the job schema accepts it (src/job: expression, timezone, enabled). */
export interface JobSchedule {
  expression: string;
  /** Only when the document names one; the stage's `scheduleTimezone` applies otherwise. */
  timezone?: string | undefined;
  enabled: boolean;
}

/** A load job's `trigger`: the S3 objects whose "Object Created" events start it. */
export interface JobTrigger {
  bucket: string;
  prefix?: string | undefined;
  suffix?: string | undefined;
}

/** A job document from `jobs/`, validated by the job schema the state machines use. */
export interface JobSource {
  name: string;
  kind: string;
  file: string;
  /** The job document as the state machine receives it: the file's content without `schedule`. */
  document: Record<string, unknown>;
  schedule?: JobSchedule | undefined;
  trigger?: JobTrigger | undefined;
}

/**
 * Every job document in `jobs/*.yml|yaml|json`, validated with `loadJobFile` (src/job/job.ts): a
 * bad document fails packaging with every problem listed by path, as it would fail its run. The
 * S3-event trigger is deployed with these files; schedules and event rules come from them.
 */
export async function discoverJobs(rootDir: string): Promise<JobSource[]> {
  const entries = await readdirIfExists(path.join(rootDir, 'jobs'));
  const jobs: JobSource[] = [];
  for (const e of entries) {
    if (!e.isFile() || !/\.(ya?ml|json)$/.test(e.name)) continue;
    const file = `jobs/${e.name}`;
    try {
      await loadJobFile(path.join(rootDir, file));
    } catch (error) {
      throw new ConfigError((error as Error).message.replace(path.join(rootDir, file), file), {
        cause: error,
      });
    }
    const raw = await readYamlObject(rootDir, file);
    const { schedule, ...document } = raw;
    const s = schedule as { expression: string; timezone?: string; enabled?: boolean } | undefined;
    const t = raw.trigger as JobTrigger | undefined;
    jobs.push({
      name: String(raw.name),
      kind: String(raw.kind),
      file,
      document,
      schedule:
        s === undefined
          ? undefined
          : { expression: s.expression, timezone: s.timezone, enabled: s.enabled ?? true },
      trigger: t === undefined ? undefined : { bucket: t.bucket, prefix: t.prefix, suffix: t.suffix },
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
