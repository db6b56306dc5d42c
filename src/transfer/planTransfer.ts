import type { S3Client } from '@aws-sdk/client-s3';
import { getText } from '../aws/s3Objects.ts';
import { parseS3Uri } from '../aws/s3Uri.ts';
import { type ExportJob, exportJobSchema } from '../job/exportJob.ts';
import { parseDerived } from '../job/job.ts';
import { type LoadJob, loadJobSchema } from '../job/loadJob.ts';
import { resolveJob } from '../job/resolveJob.ts';
import { deriveRunId, type ExecutionInput, utcDate } from '../job/runContext.ts';
import { resolveTemplate, templateValues } from '../job/templates.ts';
import type { TransferJob } from '../job/transferJob.ts';
import { parseUnloadManifest } from '../manifest/unloadManifest.ts';

/** Above this many UNLOAD files the load half reads them by prefix, not by a list in the job. */
export const MAX_LISTED_UNLOAD_FILES = 100;

export interface TransferRun {
  runId: string;
  runDate: string;
  jobName: string;
  transfer: TransferJob;
  /** The export half: UNLOAD of the source into `unloadStaging`. */
  exportJob: ExportJob;
  unloadStaging: string;
  /** The load half, without its sources (the UNLOAD manifest's files, known after the UNLOAD). */
  loadJob: Omit<LoadJob, 'source'>;
  /** `<staging>/<job>/<runId>/`: everything the run writes; cleanup removes it. */
  stagingPrefix: string;
  plannedAt: number;
}

/**
 * Validates a transfer job and splits it into its export and load halves, sharing one run id and
 * one staging prefix: UNLOAD to `<prefix>unload/`, the load's chunks and manifest beside it.
 */
export async function planTransfer(i: {
  input: ExecutionInput;
  executionName?: string | undefined;
  jobsDir?: string | undefined;
  now: number;
}): Promise<TransferRun> {
  const { job } = await resolveJob(i.input, 'transfer', { jobsDir: i.jobsDir });
  const runDate = i.input.runDate ?? utcDate(new Date(i.now));
  const runId = i.input.runId ?? deriveRunId({ jobName: job.name, runDate, executionName: i.executionName });
  const staging = resolveTemplate(
    job.staging,
    templateValues({ runDate, runId, jobName: job.name }),
    'staging',
  );
  const root = staging.endsWith('/') ? staging : `${staging}/`;
  const stagingPrefix = `${root}${job.name}/${runId}/`;
  const unloadStaging = `${stagingPrefix}unload/`;

  const exportJob = parseDerived(
    exportJobSchema,
    {
      kind: 'export',
      name: job.name,
      target: job.source.target,
      iamRole: job.source.iamRole,
      ...(job.source.query === undefined ? {} : { query: job.source.query }),
      ...(job.source.table === undefined ? {} : { table: job.source.table }),
      ...(job.source.columns === undefined ? {} : { columns: job.source.columns }),
      // Parquet, not delimited text: a value is data whatever it holds (`\\N`, '', delimiters,
      // quotes, backslashes, newlines), and NULL is a NULL; no NULL AS marker can collide with a value.
      unload: { format: 'parquet' },
      staging: unloadStaging,
      // Required by the export schema; a transfer never writes there (no part processing).
      destination: `${stagingPrefix}export/`,
      keepStaging: job.keepStaging,
      timeouts: job.timeouts,
    },
    'transfer job (its UNLOAD half)',
  );
  const loadJob = parseDerived(
    loadJobSchema,
    {
      kind: 'load',
      name: job.name,
      ...(job.description === undefined ? {} : { description: job.description }),
      target: job.destination.target,
      iamRole: job.destination.iamRole,
      table: job.destination.table,
      // Placeholder source, replaced by the UNLOAD's files in transferLoadInput.
      source: { objects: [`${unloadStaging}manifest`] },
      format: { type: 'parquet' },
      mode: job.destination.mode,
      ...(job.destination.keys === undefined ? {} : { keys: job.destination.keys }),
      ...(job.destination.orderBy === undefined ? {} : { orderBy: job.destination.orderBy }),
      staging: root,
      chunkSize: job.chunkSize,
      ...(job.slices === undefined ? {} : { slices: job.slices }),
      keepStaging: job.keepStaging,
      ledger: job.destination.ledger,
      timeouts: job.timeouts,
      ...(job.spark === undefined ? {} : { spark: job.spark }),
    },
    'transfer job (its load half)',
  );
  const { source: _placeholder, ...loadHalf } = loadJob;
  return {
    runId,
    runDate,
    jobName: job.name,
    transfer: job,
    exportJob,
    unloadStaging,
    loadJob: loadHalf,
    stagingPrefix,
    plannedAt: i.now,
  };
}

/**
 * After the UNLOAD: the load job's sources are the files its manifest lists. Returns the load
 * state machine's execution input (same run id and date), or `nothingToDo` when the UNLOAD
 * wrote no file (a query of zero rows).
 */
export async function transferLoadInput(
  s3: S3Client,
  run: Pick<TransferRun, 'runId' | 'runDate' | 'loadJob' | 'unloadStaging'>,
): Promise<{ job: LoadJob; runId: string; runDate: string; nothingToDo: boolean }> {
  const manifestUri = `${run.unloadStaging}manifest`;
  const { bucket, key } = parseS3Uri(manifestUri);
  const text = await getText(s3, bucket, key);
  const manifest = text === undefined ? undefined : parseUnloadManifest(text, manifestUri);
  const entries = manifest?.entries ?? [];
  // COPY maps Parquet columns by position: name them, so the target may have more columns.
  const columns = (manifest?.schema ?? []).map((c) => c.name);
  const urls = entries.map((e) => e.url);
  // The job travels in the state (256 KiB): beyond a few files, name the UNLOAD prefix (only
  // this run's UNLOAD writes there; `.parquet` leaves the manifest out) instead of every file.
  const byPrefix =
    urls.length > MAX_LISTED_UNLOAD_FILES &&
    urls.every((u) => u.startsWith(run.unloadStaging) && u.endsWith('.parquet'));
  const job = parseDerived(
    loadJobSchema,
    {
      ...run.loadJob,
      ...(columns.length > 0 ? { columns } : {}),
      source:
        urls.length === 0
          ? { objects: [manifestUri] }
          : byPrefix
            ? { prefix: run.unloadStaging, suffix: '.parquet' }
            : { objects: urls },
    },
    'transfer job (its load half)',
  );
  return { job, runId: run.runId, runDate: run.runDate, nothingToDo: entries.length === 0 };
}
