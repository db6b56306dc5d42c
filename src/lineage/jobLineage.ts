import type { ExportJob } from '../job/exportJob.ts';
import type { LoadJob } from '../job/loadJob.ts';
import { exportQuery } from '../sql/unload.ts';
import type { LineageOptions } from './lineageOptions.ts';
import {
  type LineageEventType,
  type RunEvent,
  redshiftDataset,
  runEvent,
  s3Dataset,
  withStatistics,
} from './runEvent.ts';

/** What a task hands to the lineage emitter: the job's options, the run, the event. */
export interface LineageEmission {
  options: LineageOptions;
  runId: string;
  event: RunEvent;
}

/** What happened to a run, as a lineage event tells it. */
export interface Happening {
  eventType: LineageEventType;
  runId: string;
  region: string;
  now: Date;
  rows?: number | undefined;
  bytes?: number | undefined;
  error?: { name: string; message: string } | undefined;
}

/** An export: the table (or the query, as a SQL job facet) in, the destination prefix out. */
export function exportLineage(
  job: Pick<ExportJob, 'name' | 'target' | 'query' | 'table' | 'columns' | 'lineage'>,
  destination: string | undefined,
  h: Happening,
): LineageEmission | undefined {
  if (job.lineage === undefined) return undefined;
  return emission(job.lineage, job.name, h, {
    inputs: job.table === undefined ? [] : [redshiftDataset(job.target, h.region, job.table)],
    outputs: destination === undefined ? [] : [withStatistics(s3Dataset(destination), h)],
    sql: exportQuery(job),
  });
}

/** A load: the source prefix (or each listed object) in, the target table out. */
export function loadLineage(
  job: Pick<LoadJob, 'name' | 'target' | 'table' | 'source' | 'lineage'>,
  h: Happening,
): LineageEmission | undefined {
  if (job.lineage === undefined) return undefined;
  const source = job.source;
  const inputs =
    source === undefined
      ? []
      : 'prefix' in source
        ? [s3Dataset(source.prefix)]
        : source.objects.map((o) => s3Dataset(typeof o === 'string' ? o : o.uri));
  return emission(job.lineage, job.name, h, {
    inputs,
    outputs: [withStatistics(redshiftDataset(job.target, h.region, job.table), { rows: h.rows })],
  });
}

/** The one frame of every job's lineage: the run's event, in the job's namespace, to its targets. */
function emission(
  options: LineageOptions,
  jobName: string,
  h: Happening,
  datasets: Pick<Parameters<typeof runEvent>[0], 'inputs' | 'outputs' | 'sql'>,
): LineageEmission {
  return {
    options,
    runId: h.runId,
    event: runEvent({
      eventType: h.eventType,
      namespace: options.namespace,
      jobName,
      runId: h.runId,
      eventTime: h.now,
      ...datasets,
      error: h.error,
    }),
  };
}
